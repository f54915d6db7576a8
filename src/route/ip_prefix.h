// An IP address and a CIDR range over it, for L4 matches on where a connection was going
// (ServiceEntry `addresses`, a Kubernetes Service's cluster IP, VirtualService tcp[]
// `match.destinationSubnets`). IPv4 is kept as an IPv4-mapped IPv6 address, so one 16-byte
// compare serves both families and "10.0.0.0/8" never takes an IPv6 address. Pure; values.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sy::route {

struct IpAddress {
  std::array<uint8_t, 16> bytes = {};  // network order; IPv4 as ::ffff:a.b.c.d

  static IpAddress v4(uint32_t host_order);
  static IpAddress v6(const std::array<uint8_t, 16>& bytes);
  // "10.0.0.1" or "fd00::1"; nullopt for anything else.
  static std::optional<IpAddress> parse(std::string_view text);
  bool operator==(const IpAddress&) const = default;
};

class IpPrefix {
 public:
  // "10.0.0.0/8", "fd00::/64", or a bare address (a /32 or /128). nullopt when malformed.
  static std::optional<IpPrefix> parse(std::string_view text);
  bool contains(const IpAddress& a) const;

 private:
  IpAddress base_;
  uint32_t bits_ = 0;  // in the 128-bit space (an IPv4 /8 is 104)
};

}  // namespace sy::route
