// The routing entry point workers call per request: listener -> virtual host -> first matching
// route. Pure, allocation-free, lock-free; the returned pointers live as long as the Snapshot
// the listener belongs to (the worker holds that shared_ptr for the request).
#pragma once

#include "route/request_view.h"
#include "snapshot/snapshot.h"

namespace sy::snapshot {

struct RouteResult {
  enum class Status {
    kRouted,         // `route` is set
    kHttpsRedirect,  // plain-HTTP request on a server with httpsRedirect: answer 301 to https
    kNoVirtualHost,  // 404 NR
    kNoRoute,        // 404 NR
  };
  Status status = Status::kNoVirtualHost;
  const VirtualHost* virtual_host = nullptr;
  const RouteEntry* route = nullptr;
};

RouteResult route(const Listener& listener, const route::RequestView& req);

// Convenience for mesh traffic: the table of `port` (or kNoVirtualHost when there is none).
RouteResult route_mesh(const Snapshot& snap, uint32_t port, const route::RequestView& req);

}  // namespace sy::snapshot
