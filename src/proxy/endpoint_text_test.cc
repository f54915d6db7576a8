// Endpoint text matches Asio's own formatting for IPv4 and IPv6, with and without ports.
#include "proxy/endpoint_text.h"

#include <gtest/gtest.h>

namespace sy::proxy {
namespace {

namespace ip = boost::asio::ip;

TEST(EndpointText, MatchesAsioFormatting) {
  struct Case {
    const char* address;
    unsigned short port;
    const char* endpoint;
  };
  const Case cases[] = {
      {"127.0.0.1", 8080, "127.0.0.1:8080"},
      {"0.0.0.0", 0, "0.0.0.0:0"},
      {"255.255.255.255", 65535, "255.255.255.255:65535"},
      {"10.20.3.4", 80, "10.20.3.4:80"},
      {"::1", 443, "[::1]:443"},
      {"2001:db8::8a2e:370:7334", 9000, "[2001:db8::8a2e:370:7334]:9000"},
  };
  for (const Case& c : cases) {
    const ip::address a = ip::make_address(c.address);
    EndpointText t;
    format_address(a, t);
    EXPECT_EQ(t.view, a.to_string()) << c.address;
    format_endpoint(ip::tcp::endpoint(a, c.port), t);
    EXPECT_EQ(t.view, c.endpoint) << c.address;
  }
}

}  // namespace
}  // namespace sy::proxy
