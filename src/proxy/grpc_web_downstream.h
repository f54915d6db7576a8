// A gRPC-Web client (http/grpc_web.h) seen by the request flow as a gRPC one, as Envoy's
// grpc_web filter presents it to the router: the request head says application/grpc (route
// matching, metrics and retries see gRPC), a -text body is base64-decoded on the way in, and the
// response goes back as gRPC-Web: its content-type, its trailers as the body's last frame, and
// for -text the whole body base64-encoded. Everything else passes to the client's Downstream.
#pragma once

#include <string>

#include "http/grpc_web.h"
#include "proxy/downstream.h"

namespace sy::proxy {

class GrpcWebDownstream final : public Downstream {
 public:
  // Rewrites `head` for the upstream: content-type application/grpc, `te: trailers`, and no
  // content-length (a -text body shrinks when decoded; Envoy drops it for both kinds).
  GrpcWebDownstream(Downstream& client, http::RequestHead& head, http::GrpcWebKind kind);

  boost::asio::awaitable<BodyPiece> read_body() override;
  bool body_complete() const override { return client_.body_complete(); }
  const http::HeaderMap& request_trailers() const override { return client_.request_trailers(); }
  boost::asio::awaitable<bool> write_head(http::ResponseHead& head) override;
  boost::asio::awaitable<bool> write_body(std::string_view data) override;
  boost::asio::awaitable<bool> end_body(const http::HeaderMap* trailers = nullptr) override;
  boost::asio::awaitable<bool> flush() override { return client_.flush(); }
  bool head_sent() const override { return client_.head_sent(); }
  TunnelTransport tunnel_transport(std::string&) override { return {}; }
  const boost::asio::ip::tcp::endpoint& peer() const override { return client_.peer(); }
  boost::asio::ip::tcp::endpoint local() const override { return client_.local(); }
  bool peer_closed() override { return client_.peer_closed(); }
  std::string_view forwarded_client_cert() const override { return client_.forwarded_client_cert(); }
  void close_after_response() override { client_.close_after_response(); }
  bool full_duplex() const override { return client_.full_duplex(); }
  void cancel_read() override { client_.cancel_read(); }

 private:
  Downstream& client_;
  const http::GrpcWebKind kind_;
  bool body_allowed_ = true;  // false when the response head says it has no body (HEAD, 204...)
  http::Base64StreamDecoder decoder_;
  http::Base64StreamEncoder encoder_;
  std::string decoded_, encoded_;
};

}  // namespace sy::proxy
