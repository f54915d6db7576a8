// Hop-by-hop header rules (RFC 9110 section 7.6.1): headers that describe one connection and must
// not be forwarded. Used by the HTTP/1 serializer (skips them while writing, no mutation) and by
// the proxy when it needs the map itself cleaned. Pure functions; any thread.
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "http/header_map.h"

namespace sy::http {

// Decides, per header name, whether it is hop-by-hop for the message whose headers are `headers`:
// the fixed list (Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding,
// Upgrade, HTTP2-Settings) plus every name listed in its Connection header(s). Holds a reference to `headers`.
class HopByHopFilter {
 public:
  // keep_upgrade: a tunnelled upgrade (websocket) keeps the Upgrade header. Connection itself is
  // always dropped; whoever writes the head adds "Connection: upgrade" (the serializer does).
  explicit HopByHopFilter(const HeaderMap& headers, bool keep_upgrade = false) noexcept;
  bool drops(std::string_view name) const noexcept;
  // More Connection tokens than fit inline: drops() then re-reads the Connection header.
  bool overflowed() const noexcept { return overflow_; }

 private:
  bool named_by_connection(std::string_view name) const noexcept;
  // Names listed in Connection, gathered once so drops() is a short scan, not a re-parse.
  static constexpr std::size_t kInlineTokens = 8;
  std::array<std::string_view, kInlineTokens> tokens_;
  std::size_t token_count_ = 0;
  bool overflow_ = false;  // more tokens than fit: fall back to re-reading the headers
  const HeaderMap& headers_;
  bool keep_upgrade_;
};

// Removes every hop-by-hop header from `headers` (see HopByHopFilter). Returns how many.
std::size_t remove_hop_by_hop(HeaderMap& headers, bool keep_upgrade = false);

// Calls f(token) for each comma-separated, OWS-trimmed, non-empty token of a list header value.
template <class F>
void for_each_token(std::string_view list, F&& f) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    std::string_view tok = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    while (!tok.empty() && (tok.front() == ' ' || tok.front() == '\t')) tok.remove_prefix(1);
    while (!tok.empty() && (tok.back() == ' ' || tok.back() == '\t')) tok.remove_suffix(1);
    if (!tok.empty()) f(tok);
  }
}

}  // namespace sy::http
