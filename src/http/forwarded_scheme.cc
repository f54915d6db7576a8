#include "http/forwarded_scheme.h"

namespace sy::http {

std::string_view forwarded_scheme(const HeaderMap& headers, bool connection_is_tls, uint32_t trusted_proxies) {
  const std::string_view own = connection_is_tls ? "https" : "http";
  if (trusted_proxies == 0) return own;
  // With several values, the last is the one our direct peer (a trusted proxy) wrote.
  std::string_view last;
  for (std::string_view v : headers.values("x-forwarded-proto")) last = v;
  if (const size_t comma = last.rfind(','); comma != std::string_view::npos) last = last.substr(comma + 1);
  while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
  while (!last.empty() && (last.back() == ' ' || last.back() == '\t')) last.remove_suffix(1);
  if (iequals(last, "https")) return "https";
  if (iequals(last, "http")) return "http";
  return own;
}

}  // namespace sy::http
