#include "config/hostname.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace sy::config {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool is_wildcard(std::string_view host) { return !host.empty() && host.front() == '*'; }

bool is_ip_address(std::string_view s) {
  // inet_pton stops at a NUL: "10.0.0.1\0..." must not pass as 10.0.0.1.
  if (s.find('\0') != std::string_view::npos) return false;
  std::string str(s);
  unsigned char buf[16];
  return inet_pton(AF_INET, str.c_str(), buf) == 1 || inet_pton(AF_INET6, str.c_str(), buf) == 1;
}

std::string resolve_short_name(std::string_view host, std::string_view ns) {
  std::string h = lower(host);
  if (h.empty() || h == "*" || h.find('.') != std::string::npos || is_ip_address(h) ||
      h.find(':') != std::string::npos) {
    return h;
  }
  return h + "." + std::string(ns) + ".svc." + std::string(kDefaultDomainSuffix);
}

static bool ends_with_ci(std::string_view s, std::string_view suffix) {
  if (suffix.size() > s.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) !=
        std::tolower(static_cast<unsigned char>(suffix[i])))
      return false;
  }
  return true;
}

static bool equals_ci(std::string_view a, std::string_view b) { return a.size() == b.size() && ends_with_ci(a, b); }

bool host_covers(std::string_view pattern, std::string_view host) {
  if (pattern == "*") return true;
  if (!is_wildcard(pattern)) return equals_ci(pattern, host);
  std::string_view suffix = pattern.substr(1);  // ".example.com"
  if (is_wildcard(host)) {
    // `*.b.example.com` is covered by `*.example.com`; `*` is not covered by anything narrower.
    std::string_view hs = host.substr(1);
    return hs.size() >= suffix.size() && ends_with_ci(hs, suffix);
  }
  return host.size() > suffix.size() && ends_with_ci(host, suffix);
}

bool hosts_intersect(std::string_view a, std::string_view b) { return host_covers(a, b) || host_covers(b, a); }

std::string more_specific_host(std::string_view a, std::string_view b) {
  if (host_covers(a, b)) return lower(b);
  return lower(a);
}

std::string resolve_gateway_ref(std::string_view ref, std::string_view vs_namespace) {
  if (ref == "mesh") return "mesh";
  if (ref.find('/') != std::string_view::npos) return std::string(ref);
  // Legacy FQDN form: name.ns.svc.cluster.local
  if (size_t dot = ref.find('.'); dot != std::string_view::npos) {
    std::string_view name = ref.substr(0, dot);
    std::string_view rest = ref.substr(dot + 1);
    size_t dot2 = rest.find('.');
    std::string_view ns = dot2 == std::string_view::npos ? rest : rest.substr(0, dot2);
    return std::string(ns) + "/" + std::string(name);
  }
  return std::string(vs_namespace) + "/" + std::string(ref);
}

ServerHost split_server_host(std::string_view s) {
  if (size_t slash = s.find('/'); slash != std::string_view::npos)
    return {std::string(s.substr(0, slash)), lower(s.substr(slash + 1))};
  return {"*", lower(s)};
}

std::string_view strip_port(std::string_view authority) {
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    return close == std::string_view::npos ? authority : authority.substr(0, close + 1);
  }
  size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) return authority;
  // More than one colon without brackets: a bare IPv6 literal, no port.
  if (authority.find(':') != colon) return authority;
  return authority.substr(0, colon);
}

}  // namespace sy::config
