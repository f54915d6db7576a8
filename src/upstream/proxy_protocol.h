// The PROXY protocol header (HAProxy's spec, versions 1 and 2) that DestinationRule
// `proxyProtocol` asks to send first on every upstream connection, before any TLS: it tells the
// upstream the client's address and the address the client connected to, as Envoy's upstream
// proxy-protocol transport socket does. Pure bytes; no I/O.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <string>
#include <string_view>

namespace sy::upstream {

enum class ProxyProtocolVersion { kNone, kV1, kV2 };

// "V1"/"V2" as the DestinationRule spells them; anything else is kNone.
ProxyProtocolVersion proxy_protocol_version(std::string_view name);

// The header for a connection made on behalf of a client at `source` that connected to
// `destination`. Mixed address families cannot be described: v1 says UNKNOWN and v2 sends a
// LOCAL command, both of which tell the upstream to use the connection's own addresses.
std::string proxy_protocol_header(ProxyProtocolVersion version, const boost::asio::ip::tcp::endpoint& source,
                                  const boost::asio::ip::tcp::endpoint& destination);

}  // namespace sy::upstream
