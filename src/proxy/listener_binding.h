// What a client connection was accepted on: a Gateway listener (bind, port) or a mesh listener.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace sy::proxy {

struct ListenerBinding {
  bool mesh = false;
  std::string bind;   // Gateway Server.bind, empty when listening on --bind
  uint32_t port = 0;  // the Gateway server port, or the mesh listener's own port
  bool tls = false;   // HTTPS: connections are TLS-terminated with the listener's certificates
  bool l4 = false;    // TCP or TLS passthrough: routed by tcp[]/tls[] rules, not HTTP
  // Mesh listener, connection redirected here by iptables: where the client meant to connect
  // (SO_ORIGINAL_DST). `resolution: NONE` services forward there.
  std::optional<boost::asio::ip::tcp::endpoint> original_dst = std::nullopt;

  bool operator==(const ListenerBinding&) const = default;
};

}  // namespace sy::proxy
