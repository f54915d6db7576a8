#include "proxy/hash_key.h"

#include <chrono>

#include "lb/hash.h"

namespace sy::proxy {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string hex64(uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = kHex[v & 0xF];
  return out;
}

}  // namespace

std::optional<std::string_view> find_cookie(const http::HeaderMap& headers, std::string_view name) {
  for (std::string_view line : headers.values("cookie")) {
    while (!line.empty()) {
      const size_t semi = line.find(';');
      std::string_view pair = trim(line.substr(0, semi));
      line = semi == std::string_view::npos ? std::string_view{} : line.substr(semi + 1);
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos || trim(pair.substr(0, eq)) != name) continue;
      std::string_view value = trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return value;
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> find_query_parameter(std::string_view path, std::string_view name) {
  const size_t q = path.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view query = path.substr(q + 1);
  if (const size_t hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
  }
  return std::nullopt;
}

HashKey extract_hash_key(const policy::ConsistentHashPolicy& policy, const http::RequestHead& head,
                         std::string_view peer_ip, std::string_view peer) {
  using Key = policy::ConsistentHashPolicy::Key;
  HashKey out;
  switch (policy.key) {
    case Key::kHeader:
      // Repeated fields hash as one comma-joined value, the form every hop would see after a merge.
      if (head.headers.count(policy.name) > 1) {
        std::string joined;
        for (std::string_view v : head.headers.values(policy.name)) {
          if (!joined.empty()) joined += ',';
          joined += v;
        }
        out.hash = lb::hash_key(joined);
      } else if (auto v = head.headers.get(policy.name)) {
        out.hash = lb::hash_key(*v);
      }
      break;
    case Key::kQueryParameter:
      if (auto v = find_query_parameter(head.path, policy.name)) out.hash = lb::hash_key(*v);
      break;
    case Key::kSourceIp:
      out.hash = lb::hash_key(peer_ip);
      break;
    case Key::kCookie:
      if (auto v = find_cookie(head.headers, policy.name)) {
        out.hash = lb::hash_key(*v);
      } else if (policy.cookie_generate) {
        // The value only has to be stable for this client from now on: derive it from the client
        // connection, route this request by it, and hand it to the client to send back.
        const std::string value = hex64(lb::hash_bytes(peer, 0x636f6f6b6965ull));
        out.hash = lb::hash_key(value);
        out.set_cookie = policy.name + "=\"" + value + "\"";
        const auto ttl = std::chrono::duration_cast<std::chrono::seconds>(policy.cookie_ttl).count();
        if (ttl > 0) out.set_cookie += "; Max-Age=" + std::to_string(ttl);
        if (!policy.cookie_path.empty()) out.set_cookie += "; Path=" + policy.cookie_path;
        // Envoy's order: attributes after Path, before HttpOnly; a valueless one is a bare name.
        for (const auto& [name, attr_value] : policy.cookie_attributes)
          out.set_cookie += attr_value.empty() ? "; " + name : "; " + name + "=" + attr_value;
        out.set_cookie += "; HttpOnly";
      }
      break;
  }
  return out;
}

}  // namespace sy::proxy
