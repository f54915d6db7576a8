// The request as route matching sees it: borrowed views, no ownership, no allocation.
// Built by the worker (or explain) on its own stack for the duration of one routing decision;
// never stored in the Snapshot. Safe to use on any thread that owns the underlying request.
#pragma once

#include <optional>
#include <string_view>

namespace sy::route {

// Header lookup the HTTP codec implements over its own header map. Names are asked for in
// lower case. A header sent several times must be returned as one value joined by "," (what
// Envoy matches against), so the codec joins duplicates once at parse time, not per lookup.
class HeaderSource {
 public:
  virtual ~HeaderSource() = default;
  virtual std::optional<std::string_view> get(std::string_view lowercase_name) const = 0;
};

// The four fields are also what header matches on the pseudo-headers `:method`, `:scheme`,
// `:authority` and `:path` read (as in Envoy); an empty one counts as an absent header.
struct RequestView {
  std::string_view method;     // ":method", e.g. "GET"
  std::string_view scheme;     // ":scheme", "http" or "https"
  std::string_view authority;  // Host/":authority" as sent (may carry ":port")
  std::string_view path;       // ":path" including any "?query", after path normalization
  const HeaderSource* headers = nullptr;
  // The port the request was addressed to: the gateway listener's, or the mesh service port (0
  // when unknown). Redirects with derivePort FROM_REQUEST_PORT use it, as pilot does.
  uint32_t port = 0;

  std::optional<std::string_view> header(std::string_view lowercase_name) const {
    if (headers == nullptr) return std::nullopt;
    return headers->get(lowercase_name);
  }
  // The path without "?query" (what `uri` matches).
  std::string_view path_only() const {
    size_t q = path.find('?');
    return q == std::string_view::npos ? path : path.substr(0, q);
  }
  // The raw query string after "?", empty when none.
  std::string_view query() const {
    size_t q = path.find('?');
    return q == std::string_view::npos ? std::string_view{} : path.substr(q + 1);
  }
};

// Finds `key` in a raw query string ("a=1&b&c=") without decoding or allocating. A key given
// without "=" yields an empty value, as Envoy's query parser does. First occurrence wins.
std::optional<std::string_view> find_query_param(std::string_view query, std::string_view key);

}  // namespace sy::route
