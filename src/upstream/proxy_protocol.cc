#include "upstream/proxy_protocol.h"

#include <fmt/format.h>

#include <array>

namespace sy::upstream {
namespace {

// v2's fixed 12-byte signature, then version 2 with the PROXY (0x21) or LOCAL (0x20) command.
constexpr std::string_view kV2Signature{"\r\n\r\n\0\r\nQUIT\n", 12};

void append_be16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}

template <size_t N>
void append_bytes(std::string& out, const std::array<unsigned char, N>& bytes) {
  out.append(reinterpret_cast<const char*>(bytes.data()), N);
}

std::string v1(const boost::asio::ip::tcp::endpoint& src, const boost::asio::ip::tcp::endpoint& dst) {
  if (src.address().is_v4() != dst.address().is_v4()) return "PROXY UNKNOWN\r\n";
  return fmt::format("PROXY {} {} {} {} {}\r\n", src.address().is_v4() ? "TCP4" : "TCP6", src.address().to_string(),
                     dst.address().to_string(), src.port(), dst.port());
}

std::string v2(const boost::asio::ip::tcp::endpoint& src, const boost::asio::ip::tcp::endpoint& dst) {
  std::string out(kV2Signature);
  if (src.address().is_v4() != dst.address().is_v4()) {
    out.push_back('\x20');  // LOCAL
    out.push_back('\x00');  // AF_UNSPEC
    append_be16(out, 0);
    return out;
  }
  out.push_back('\x21');  // version 2, PROXY
  if (src.address().is_v4()) {
    out.push_back('\x11');  // AF_INET, STREAM
    append_be16(out, 12);
    append_bytes(out, src.address().to_v4().to_bytes());
    append_bytes(out, dst.address().to_v4().to_bytes());
  } else {
    out.push_back('\x21');  // AF_INET6, STREAM
    append_be16(out, 36);
    append_bytes(out, src.address().to_v6().to_bytes());
    append_bytes(out, dst.address().to_v6().to_bytes());
  }
  append_be16(out, src.port());
  append_be16(out, dst.port());
  return out;
}

}  // namespace

ProxyProtocolVersion proxy_protocol_version(std::string_view name) {
  if (name == "V1") return ProxyProtocolVersion::kV1;
  if (name == "V2") return ProxyProtocolVersion::kV2;
  return ProxyProtocolVersion::kNone;
}

std::string proxy_protocol_header(ProxyProtocolVersion version, const boost::asio::ip::tcp::endpoint& source,
                                  const boost::asio::ip::tcp::endpoint& destination) {
  switch (version) {
    case ProxyProtocolVersion::kV1:
      return v1(source, destination);
    case ProxyProtocolVersion::kV2:
      return v2(source, destination);
    case ProxyProtocolVersion::kNone:
      break;
  }
  return {};
}

}  // namespace sy::upstream
