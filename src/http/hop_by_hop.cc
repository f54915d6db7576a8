#include "http/hop_by_hop.h"

namespace sy::http {
namespace {

bool fixed_hop_by_hop(std::string_view name, bool keep_upgrade) noexcept {
  // Switch on length first: this runs once per forwarded header.
  switch (name.size()) {
    case 2:
      return iequals(name, "te");
    case 7:
      return iequals(name, "trailer") || (!keep_upgrade && iequals(name, "upgrade"));
    case 10:
      return iequals(name, "connection") || iequals(name, "keep-alive");
    case 14:
      return iequals(name, "http2-settings");  // belongs to the h2c upgrade, never honoured
    case 16:
      return iequals(name, "proxy-connection");
    case 17:
      return iequals(name, "transfer-encoding");
    default:
      return false;
  }
}

}  // namespace

HopByHopFilter::HopByHopFilter(const HeaderMap& headers, bool keep_upgrade) noexcept
    : headers_(headers), keep_upgrade_(keep_upgrade) {
  for (const auto& e : headers) {
    if (e.name.size() != 10 || !iequals(e.name, "connection")) continue;
    for_each_token(e.value, [this](std::string_view tok) {
      // Options that are not header names, or are dropped anyway, need no slot.
      if (iequals(tok, "close") || iequals(tok, "keep-alive") || iequals(tok, "upgrade")) return;
      if (token_count_ == kInlineTokens) {
        overflow_ = true;
        return;
      }
      tokens_[token_count_++] = tok;
    });
  }
}

bool HopByHopFilter::named_by_connection(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < token_count_; ++i) {
    if (iequals(tokens_[i], name)) return true;
  }
  if (!overflow_) return false;
  bool found = false;
  for (std::string_view value : headers_.values("connection")) {
    for_each_token(value, [&](std::string_view tok) {
      found = found || (iequals(tok, name) && !(keep_upgrade_ && iequals(tok, "upgrade")));
    });
  }
  return found;
}

bool HopByHopFilter::drops(std::string_view name) const noexcept {
  if (fixed_hop_by_hop(name, keep_upgrade_)) return true;
  return token_count_ > 0 && named_by_connection(name);
}

std::size_t remove_hop_by_hop(HeaderMap& headers, bool keep_upgrade) {
  // The filter keeps views of the Connection tokens, which stay valid while entries are removed
  // (removal only shifts views; the bytes stay in the map's storage). Only a Connection header
  // with more tokens than the filter holds inline is read again during the removal, so that
  // rare case decides first and removes after.
  const HopByHopFilter filter(headers, keep_upgrade);
  if (!filter.overflowed()) return headers.remove_if([&](const HeaderMap::Entry& e) { return filter.drops(e.name); });
  std::vector<bool> drop(headers.size());
  for (std::size_t i = 0; i < headers.size(); ++i) drop[i] = filter.drops(headers[i].name);
  // remove_if visits entries in place before shifting them, so the address gives the index.
  const HeaderMap::Entry* first = headers.begin();
  return headers.remove_if([&](const HeaderMap::Entry& e) { return drop[static_cast<std::size_t>(&e - first)]; });
}

}  // namespace sy::http
