// Virtual-host lookup by request host: exact name, then wildcard suffixes longest first, then
// `*` (Envoy's domain precedence). Case-insensitive; the caller passes the host with or without
// ":port" (the port is ignored). Built once per snapshot, then read-only and lock-free.
// Lookup cost is one hash probe per label of the request host, independent of table size.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sy::route {

// Transparent hashing so lookups by string_view never build a std::string.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

class HostTable {
 public:
  // `domain` is an exact name, `*.suffix` or `*`. Returns false (and keeps the first value) when
  // the domain is already present.
  bool add(std::string_view domain, uint32_t value);
  // The value of the most specific domain covering `host`, or nullopt.
  std::optional<uint32_t> find(std::string_view host) const;
  size_t size() const { return exact_.size() + suffix_.size() + (any_ ? 1 : 0); }

 private:
  std::optional<uint32_t> find_lower(std::string_view host) const;

  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> exact_;
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> suffix_;  // key ".example.com"
  std::optional<uint32_t> any_;
};

}  // namespace sy::route
