// Responses the gateway generates itself (404 no route, 503 no healthy upstream, redirects,
// direct responses, fault aborts). Each carries `x-switchyard-reason` with the response flags,
// and the route's response header operations when there is a route.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/route_policies.h"
#include "proxy/downstream.h"
#include "proxy/request_info.h"

namespace sy::proxy {

struct LocalReply {
  int status = 200;
  std::string_view body;
  std::string_view content_type = "text/plain";
  std::vector<std::pair<std::string_view, std::string_view>> headers;  // extra (location, ...)
  const policy::HeaderOps* response_ops = nullptr;
  // CORS headers for an allowed origin: the preflight answer's set, or an actual response's.
  const policy::CorsPolicy* cors = nullptr;
  std::string_view cors_origin;
  bool cors_preflight = false;

  static LocalReply of(int status, std::string_view body = {}, const policy::HeaderOps* ops = nullptr) {
    LocalReply r;
    r.status = status;
    r.body = body;
    r.response_ops = ops;
    return r;
  }
};

boost::asio::awaitable<void> send_local_reply(Downstream& down, const LocalReply& reply, RequestInfo& info);

// Applies set/add/remove operations to a header map (request or response side).
void apply_header_ops(const policy::HeaderOps& ops, http::HeaderMap& headers);
// A route's operations and its chosen destination's, as pilot hands them to Envoy
// (docs/semantics.md §5.6). With a single destination both go into the route's one list: every
// remove first, then the route's set/add, then the destination's (the destination wins on set).
// With several destinations the destination's are its weighted cluster's, which Envoy evaluates
// before the route's (the route wins on set).
void apply_route_header_ops(const policy::HeaderOps& route, const policy::HeaderOps& destination,
                            bool single_destination, http::HeaderMap& headers);

}  // namespace sy::proxy
