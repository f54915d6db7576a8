// The client side of one request, independent of the wire protocol. The HTTP/1 connection
// implements it today; an HTTP/2 stream will implement the same interface, so the request flow
// (route -> policies -> pick endpoint -> forward) exists once. Used only on the owning worker.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <string>
#include <string_view>

#include "http/message.h"

namespace sy::proxy {

struct BodyPiece {
  std::string_view data;   // valid until the next read_body() call
  bool end = false;        // the request body is complete (data may still hold its last bytes)
  bool error = false;      // the client went away or sent a malformed body
  bool malformed = false;  // with error: the body's framing is broken (answer 400), not a close
};

class Downstream {
 public:
  virtual ~Downstream() = default;

  // Next piece of the request body. Sends `100 Continue` first when the client asked for it.
  virtual boost::asio::awaitable<BodyPiece> read_body() = 0;
  // True once the whole request body has been read.
  virtual bool body_complete() const = 0;
  // Trailer fields that ended the request body (empty unless it was chunked with trailers).
  virtual const http::HeaderMap& request_trailers() const = 0;

  // Response head. head.framing/content_length say how the body follows (None = no body).
  virtual boost::asio::awaitable<bool> write_head(http::ResponseHead& head) = 0;
  virtual boost::asio::awaitable<bool> write_body(std::string_view data) = 0;
  // Ends the response body (required for every response, announced length or not). A head may be
  // held back until the first body bytes or the end, so that both leave in one write.
  // `trailers` go to the client when its protocol can carry them (HTTP/1.1: a chunked response
  // to a client that sent `TE: trailers`); otherwise they are dropped, as Envoy does.
  virtual boost::asio::awaitable<bool> end_body(const http::HeaderMap* trailers = nullptr) = 0;
  // Sends anything held back. Call before waiting on something slow (the upstream's next bytes).
  virtual boost::asio::awaitable<bool> flush() = 0;
  virtual bool head_sent() const = 0;

  // The raw transport for a tunnel (websocket after 101): the plain socket or the TLS stream;
  // bytes the client already sent past the request head are moved into `pending`. Both null
  // when the protocol has no such transport (an HTTP/2 stream).
  struct TunnelTransport {
    boost::asio::ip::tcp::socket* plain = nullptr;
    boost::asio::ssl::stream<boost::asio::ip::tcp::socket>* tls = nullptr;
  };
  virtual TunnelTransport tunnel_transport(std::string& pending) = 0;

  virtual const boost::asio::ip::tcp::endpoint& peer() const = 0;
  // The address the client connected to (a system call; for the PROXY protocol header only).
  virtual boost::asio::ip::tcp::endpoint local() const = 0;
  // Whether the client has closed its side, checked without waiting (a peek). The forwarder
  // asks while the upstream is silent, so a client that gave up frees its upstream attempt.
  virtual bool peer_closed() = 0;
  // x-forwarded-client-cert element of the client's verified TLS certificate; empty when none.
  virtual std::string_view forwarded_client_cert() const = 0;
  // The connection must not carry another request (error mid-response, drain).
  virtual void close_after_response() = 0;

  // Whether read_body() may run in one coroutine while the response is written from another
  // (an HTTP/2 stream: bidirectional streaming). HTTP/1.1 connections read, then write.
  virtual bool full_duplex() const { return false; }
  // Ends a read_body() waiting for the client (it returns an error): the flow is done with the
  // request body. Only for full-duplex downstreams.
  virtual void cancel_read() {}
};

}  // namespace sy::proxy
