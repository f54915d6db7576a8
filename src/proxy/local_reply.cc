#include "proxy/local_reply.h"

#include "http/grpc.h"
#include "http/status.h"
#include "proxy/cors.h"
#include "proxy/response_flags.h"

namespace sy::proxy {

// Envoy's HeaderParser removes first, then sets and appends (Istio emits `set` entries before
// `add` ones), so `remove: [x]` with `set: {x: v}` leaves x = v.
void apply_header_ops(const policy::HeaderOps& ops, http::HeaderMap& headers) {
  for (const auto& name : ops.remove) headers.remove(name);
  for (const auto& [name, value] : ops.set) headers.set(name, value);
  for (const auto& [name, value] : ops.add) headers.add(name, value);
}

void apply_route_header_ops(const policy::HeaderOps& route, const policy::HeaderOps& destination,
                            bool single_destination, http::HeaderMap& headers) {
  if (!single_destination) {
    apply_header_ops(destination, headers);
    apply_header_ops(route, headers);
    return;
  }
  for (const auto& name : route.remove) headers.remove(name);
  for (const auto& name : destination.remove) headers.remove(name);
  for (const auto* ops : {&route, &destination}) {
    for (const auto& [name, value] : ops->set) headers.set(name, value);
    for (const auto& [name, value] : ops->add) headers.add(name, value);
  }
}

namespace {

// A gRPC client reads errors from grpc-status, not from the HTTP status: Envoy answers it with a
// trailers-only response (HTTP 200, grpc-status from the HTTP status, grpc-message from the body).
// Replies that already carry grpc-status (a fault's grpcStatus) and answers below 400 stay as they are.
// Whether the reply goes out as a gRPC trailers-only response: one that already carries
// grpc-status (a fault's grpcStatus), or any error answer to a gRPC client, which Envoy turns into
// one (HTTP 200, grpc-status from the HTTP status, grpc-message from the body). Answers below 400
// to a gRPC client stay as they are.
bool shape_for_grpc(const LocalReply& reply, RequestInfo& info, http::ResponseHead& head, std::string& message) {
  if (head.headers.contains("grpc-status")) {
    info.grpc_status = http::grpc_status(head.headers).value_or(-1);
    return true;
  }
  if (!info.grpc || reply.status < 400) return false;
  info.grpc_status = http::grpc_status_from_http(reply.status);
  head.status = 200;
  head.headers.set("content-type", "application/grpc");
  head.headers.add("grpc-status", std::to_string(info.grpc_status));
  message = http::encode_grpc_message(reply.body.empty() ? http::reason_phrase(reply.status) : reply.body);
  head.headers.add("grpc-message", message);
  return true;
}

}  // namespace

boost::asio::awaitable<void> send_local_reply(Downstream& down, const LocalReply& reply, RequestInfo& info) {
  info.status = reply.status;
  http::ResponseHead head;
  head.status = reply.status;
  head.framing = http::BodyFraming::ContentLength;
  head.content_length = reply.body.size();
  if (!reply.body.empty()) head.headers.add("content-type", reply.content_type);
  for (const auto& [name, value] : reply.headers) head.headers.add(name, value);
  if (info.flags != 0) head.headers.add("x-switchyard-reason", format_response_flags(info.flags));
  if (reply.response_ops) apply_header_ops(*reply.response_ops, head.headers);
  if (reply.cors && !reply.cors_origin.empty()) {
    if (reply.cors_preflight) add_preflight_headers(*reply.cors, reply.cors_origin, head.headers);
    else add_cors_response_headers(*reply.cors, reply.cors_origin, head.headers);
  }
  if (reply.body.empty()) head.framing = http::BodyFraming::ContentLength;
  std::string grpc_message;
  if (shape_for_grpc(reply, info, head, grpc_message)) {
    // Trailers-only: the status rides in the one HEADERS frame that ends the stream (an HTTP/1.1
    // client sees Content-Length: 0).
    info.status = head.status;
    head.framing = http::BodyFraming::None;
    head.content_length = 0;
    head.headers.remove("content-length");
    co_await down.write_head(head);
    co_await down.end_body();
    co_return;
  }
  if (!co_await down.write_head(head)) co_return;
  if (!reply.body.empty() && !co_await down.write_body(reply.body)) co_return;
  co_await down.end_body();
  info.response_body_bytes = reply.body.size();
}

}  // namespace sy::proxy
