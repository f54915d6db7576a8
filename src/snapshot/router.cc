#include "snapshot/router.h"

namespace sy::snapshot {

RouteResult route(const Listener& listener, const route::RequestView& req) {
  RouteResult out;
  std::optional<uint32_t> vh = listener.hosts.find(req.authority);
  if (!vh) return out;
  const VirtualHost& host = listener.virtual_hosts[*vh];
  out.virtual_host = &host;
  if (host.https_redirect && req.scheme != "https") {
    out.status = RouteResult::Status::kHttpsRedirect;
    return out;
  }
  for (const RouteEntry& e : host.routes) {
    if (e.match.matches(req)) {
      out.status = RouteResult::Status::kRouted;
      out.route = &e;
      return out;
    }
  }
  out.status = RouteResult::Status::kNoRoute;
  return out;
}

RouteResult route_mesh(const Snapshot& snap, uint32_t port, const route::RequestView& req) {
  const Listener* l = snap.find_mesh(port);
  if (!l) return RouteResult{};
  return route(*l, req);
}

}  // namespace sy::snapshot
