#include "route/ip_prefix.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <string>

namespace sy::route {

namespace {

constexpr uint32_t kV4MappedBits = 96;  // ::ffff: before an IPv4 address

}  // namespace

IpAddress IpAddress::v4(uint32_t host_order) {
  IpAddress a;
  a.bytes[10] = 0xff;
  a.bytes[11] = 0xff;
  for (int i = 0; i < 4; ++i) a.bytes[12 + i] = static_cast<uint8_t>(host_order >> (24 - 8 * i));
  return a;
}

IpAddress IpAddress::v6(const std::array<uint8_t, 16>& bytes) {
  IpAddress a;
  a.bytes = bytes;
  return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  // inet_pton stops at a NUL and needs one at the end: copy into a string of its own.
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  const std::string s(text);
  in_addr v4addr{};
  if (inet_pton(AF_INET, s.c_str(), &v4addr) == 1) return v4(ntohl(v4addr.s_addr));
  in6_addr v6addr{};
  if (inet_pton(AF_INET6, s.c_str(), &v6addr) != 1) return std::nullopt;
  std::array<uint8_t, 16> b;
  std::memcpy(b.data(), &v6addr, b.size());
  return v6(b);
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  const size_t slash = text.find('/');
  const auto base = IpAddress::parse(text.substr(0, slash));
  if (!base) return std::nullopt;
  const bool is_v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  const uint32_t max_bits = is_v4 ? 32 : 128;
  uint32_t bits = max_bits;
  if (slash != std::string_view::npos) {
    const std::string_view len = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), bits);
    if (ec != std::errc() || end != len.data() + len.size() || len.empty() || bits > max_bits) return std::nullopt;
  }
  IpPrefix p;
  p.base_ = *base;
  p.bits_ = is_v4 ? bits + kV4MappedBits : bits;
  return p;
}

bool IpPrefix::contains(const IpAddress& a) const {
  const uint32_t whole = bits_ / 8, rest = bits_ % 8;
  if (std::memcmp(a.bytes.data(), base_.bytes.data(), whole) != 0) return false;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a.bytes[whole] & mask) == (base_.bytes[whole] & mask);
}

}  // namespace sy::route
