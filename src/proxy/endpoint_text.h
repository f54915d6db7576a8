// Text of an address or endpoint ("10.0.0.7", "10.0.0.7:8080", "[::1]:8080") written into a
// caller's buffer. Asio's to_string() goes through inet_ntop and printf and returns a fresh
// string: measurable when done several times per request for X-Forwarded-For and the access log.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <string_view>

namespace sy::proxy {

struct EndpointText {
  char data[64];
  std::string_view view;
};

// Address only (no port, IPv6 without brackets): the X-Forwarded-For form.
void format_address(const boost::asio::ip::address& a, EndpointText& out);
// "ip:port", IPv6 in brackets: the access log's UPSTREAM_HOST form.
void format_endpoint(const boost::asio::ip::tcp::endpoint& e, EndpointText& out);

}  // namespace sy::proxy
