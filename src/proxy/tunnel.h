// Byte tunnel between client and upstream after an HTTP upgrade (websocket), or for an L4 route
// (TCP, TLS passthrough): copies both ways until both sides have closed, then closes both. Runs
// on the worker owning the client connection. Either end may be a plain socket or a TLS stream
// (a WebSocket on an HTTPS listener, or to an upstream that originates TLS).
#pragma once

#include <chrono>
#include <cstdint>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <string_view>

namespace sy::proxy {

using TlsSocket = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

// Bytes a tunnel carried, pending bytes included.
struct TunnelBytes {
  uint64_t to_upstream = 0;
  uint64_t to_client = 0;
};

// `Client` and `Upstream` are each tcp::socket or TlsSocket. `idle_timeout` (0 = none) ends the
// tunnel when no byte moved either way for that long; `ends_at` (maxConnectionDuration) ends it
// then, whatever moves. A side's end of input is passed on as a half-close to a plain socket; a
// TLS stream cannot be half-closed without closing it, so there the tunnel ends.
template <class Client, class Upstream>
boost::asio::awaitable<void> run_tunnel(
    Client& client, Upstream& upstream, std::string_view client_pending, std::string_view upstream_pending,
    std::chrono::steady_clock::duration idle_timeout = {}, TunnelBytes* bytes = nullptr,
    std::chrono::steady_clock::time_point ends_at = std::chrono::steady_clock::time_point::max());

}  // namespace sy::proxy
