// One client connection speaking HTTP/2 (RFC 9113): h2c with prior knowledge on plaintext HTTP
// listeners (handed over by the HTTP/1.1 connection when the first bytes are the HTTP/2
// preface), h2 on TLS listeners when ALPN chose it. Frames go through http::h2::ServerSession;
// each request stream runs the same request flow as an HTTP/1.1 request, through the Downstream
// interface, concurrently with the others on the connection's worker.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <string>

#include "proxy/listener_binding.h"
#include "proxy/worker_context.h"

namespace sy::proxy {

// The 24 bytes every HTTP/2 client sends first (RFC 9113 section 3.4).
inline constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

// Serves the connection until it closes. `preread`: bytes already read from the socket (the
// preface at least), fed to the session first.
boost::asio::awaitable<void> serve_http2(WorkerContext& ctx, ListenerBinding binding,
                                         boost::asio::ip::tcp::socket socket, std::string preread);
// Over an established TLS stream; `client_cert` is the x-forwarded-client-cert element of a
// verified client certificate, empty without one.
boost::asio::awaitable<void> serve_http2(WorkerContext& ctx, ListenerBinding binding,
                                         boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream,
                                         std::string client_cert);

}  // namespace sy::proxy
