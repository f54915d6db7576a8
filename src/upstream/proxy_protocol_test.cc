#include "upstream/proxy_protocol.h"

#include <gtest/gtest.h>

namespace sy::upstream {
namespace {

boost::asio::ip::tcp::endpoint ep(const char* ip, unsigned short port) {
  return {boost::asio::ip::make_address(ip), port};
}

// Scenario: the header written first on an upstream connection, per version and address family,
// byte for byte as HAProxy's PROXY protocol spec lays it out.
TEST(ProxyProtocol, Header) {
  using std::string_literals::operator""s;
  const std::string sig = "\r\n\r\n\0\r\nQUIT\n"s;
  struct Case {
    const char* name;
    ProxyProtocolVersion version;
    boost::asio::ip::tcp::endpoint src, dst;
    std::string want;
  } cases[] = {
      {"v1 IPv4", ProxyProtocolVersion::kV1, ep("192.0.2.7", 51000), ep("10.0.0.1", 443),
       "PROXY TCP4 192.0.2.7 10.0.0.1 51000 443\r\n"},
      {"v1 IPv6", ProxyProtocolVersion::kV1, ep("2001:db8::7", 1), ep("::1", 80), "PROXY TCP6 2001:db8::7 ::1 1 80\r\n"},
      {"v1 mixed families", ProxyProtocolVersion::kV1, ep("192.0.2.7", 1), ep("::1", 80), "PROXY UNKNOWN\r\n"},
      {"v2 IPv4", ProxyProtocolVersion::kV2, ep("192.0.2.7", 0xC738), ep("10.0.0.1", 443),
       sig + "\x21\x11\x00\x0c"s + "\xc0\x00\x02\x07"s + "\x0a\x00\x00\x01"s + "\xc7\x38\x01\xbb"s},
      {"v2 mixed families is LOCAL", ProxyProtocolVersion::kV2, ep("192.0.2.7", 1), ep("::1", 80),
       sig + "\x20\x00\x00\x00"s},
      {"none", ProxyProtocolVersion::kNone, ep("192.0.2.7", 1), ep("10.0.0.1", 80), ""},
  };
  for (const auto& c : cases) EXPECT_EQ(proxy_protocol_header(c.version, c.src, c.dst), c.want) << c.name;
}

// Scenario: a v2 IPv6 header is the signature, 4 fixed bytes and 36 address bytes.
TEST(ProxyProtocol, V2Ipv6Layout) {
  std::string h = proxy_protocol_header(ProxyProtocolVersion::kV2, ep("2001:db8::7", 5), ep("2001:db8::1", 6));
  ASSERT_EQ(h.size(), 12u + 4 + 36);
  EXPECT_EQ(h[12], '\x21');
  EXPECT_EQ(h[13], '\x21');
  EXPECT_EQ(h[15], 36);
  EXPECT_EQ(h.substr(h.size() - 4), std::string("\x00\x05\x00\x06", 4));
}

// Scenario: the DestinationRule's version names.
TEST(ProxyProtocol, VersionNames) {
  EXPECT_EQ(proxy_protocol_version("V1"), ProxyProtocolVersion::kV1);
  EXPECT_EQ(proxy_protocol_version("V2"), ProxyProtocolVersion::kV2);
  EXPECT_EQ(proxy_protocol_version(""), ProxyProtocolVersion::kNone);
}

}  // namespace
}  // namespace sy::upstream
