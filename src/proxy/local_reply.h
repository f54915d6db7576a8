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

}  // namespace sy::proxy
