// The router step of the request flow: choose a destination by weight, an endpoint by the
// cluster's balancer, and exchange the request with it over HTTP/1.1, retrying under the route's
// policy. Streams both bodies; runs on the worker owning the client connection.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "http/message.h"
#include "proxy/downstream.h"
#include "proxy/request_info.h"
#include "proxy/worker_context.h"
#include "snapshot/snapshot.h"

namespace sy::proxy {

boost::asio::awaitable<void> forward(WorkerContext& ctx, upstream::ClusterTable& table,
                                     const snapshot::RouteEntry& entry, http::RequestHead& head, Downstream& down,
                                     RequestInfo& info);

}  // namespace sy::proxy
