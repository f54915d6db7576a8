#include "route/host_table.h"

#include <cctype>

#include "config/hostname.h"

namespace sy::route {

bool HostTable::add(std::string_view domain, uint32_t value) {
  std::string d = config::lower(config::strip_port(domain));
  if (d == "*") {
    if (any_) return false;
    any_ = value;
    return true;
  }
  if (d.size() > 1 && d[0] == '*' && d[1] == '.') return suffix_.emplace(d.substr(1), value).second;
  return exact_.emplace(std::move(d), value).second;
}

std::optional<uint32_t> HostTable::find(std::string_view host) const {
  host = config::strip_port(host);
  // Lower-case into a stack buffer: DNS names are at most 253 bytes, so the hot path never
  // allocates; longer (invalid) names take the slow path.
  char buf[256];
  if (host.size() <= sizeof(buf)) {
    for (size_t i = 0; i < host.size(); ++i)
      buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(host[i])));
    return find_lower(std::string_view(buf, host.size()));
  }
  return find_lower(config::lower(host));
}

std::optional<uint32_t> HostTable::find_lower(std::string_view host) const {
  if (auto it = exact_.find(host); it != exact_.end()) return it->second;
  if (!suffix_.empty()) {
    // Walk label boundaries left to right: ".b.example.com" before ".example.com", i.e. the
    // longest wildcard first. The first label is never empty, so `*.x` never matches `x`.
    for (size_t dot = host.find('.', 1); dot != std::string_view::npos; dot = host.find('.', dot + 1)) {
      if (auto it = suffix_.find(host.substr(dot)); it != suffix_.end()) return it->second;
    }
  }
  return any_;
}

}  // namespace sy::route
