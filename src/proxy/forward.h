// The router step of the request flow: choose a destination by weight, an endpoint by the
// cluster's balancer, and exchange the request with it over HTTP/1.1, retrying under the route's
// policy. Streams both bodies; runs on the worker owning the client connection.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <optional>

#include "http/message.h"
#include "proxy/downstream.h"
#include "proxy/request_info.h"
#include "proxy/worker_context.h"
#include "snapshot/snapshot.h"

namespace sy::proxy {

// What the request flow decided before the router step and the router needs.
struct ForwardOptions {
  bool edge = true;              // gateway listener (X-Forwarded-Proto is ours); false on the mesh listener
  std::string_view cors_origin;  // allowed CORS origin to echo on the response; empty when none
  // A mirror's copy (mirror.h): its head was prepared by the primary's route; it has no mirrors.
  bool mirror = false;
  // Where a mesh client meant to connect (ListenerBinding::original_dst): `resolution: NONE`.
  std::optional<boost::asio::ip::tcp::endpoint> original_destination = std::nullopt;
};

boost::asio::awaitable<void> forward(WorkerContext& ctx, std::shared_ptr<upstream::ClusterTable> table,
                                     const snapshot::RouteEntry& entry, http::RequestHead& head, Downstream& down,
                                     RequestInfo& info, const ForwardOptions& options);

}  // namespace sy::proxy
