// One compiled HTTPMatchRequest block: every present condition must hold (AND). A route with
// several blocks becomes several RouteEntries, tried in order (OR). Immutable after compile();
// shared read-only by all worker threads through the Snapshot.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/model/virtual_service.h"
#include "route/request_view.h"
#include "route/string_matcher.h"

namespace sy::route {

class RequestMatch {
 public:
  // Runtime conditions only; build-time ones (port, gateways, sourceLabels, sourceNamespace)
  // are applied by build_time_exclusion() before a block is compiled. Problems (bad regex) are
  // appended to `errors`; the affected condition then never matches.
  static RequestMatch compile(const config::HTTPMatchRequest& m, std::vector<std::string>* errors = nullptr);
  // The implicit block of a route without `match`: matches every request.
  static RequestMatch match_all() { return RequestMatch{}; }

  // Hot path: no allocation.
  bool matches(const RequestView& req) const { return check(req, nullptr); }
  // Explain path: nullopt when the block matches, else the first failing condition in the
  // order uri, scheme, method, authority, headers, queryParams, withoutHeaders, e.g.
  // `header "user": "alice" does not match exact "jason"`.
  std::optional<std::string> first_failure(const RequestView& req) const;

  // Istio's catch-all test: no runtime condition except a `uri` of prefix "/" or regex ".*".
  // Such entries are moved after all others when several VirtualServices merge on a gateway.
  bool is_catch_all() const;
  const std::string& name() const { return name_; }
  // The uri condition (rewrite needs to know whether, and which, prefix matched).
  const std::optional<StringMatcher>& uri() const { return uri_; }
  // Human summary of the conditions, for explain ("uri prefix \"/v1\", header \"x\" present").
  std::string describe() const;

 private:
  // Conditions live in one contiguous vector in evaluation order, so the hot loop over a
  // virtual host's entries touches one small heap block per entry (entries are large because
  // of their actions; keeping match data compact keeps matching flat with table size).
  enum class Field : uint8_t { kUri, kScheme, kMethod, kAuthority, kHeader, kQueryParam, kWithoutHeader };
  // Where a header condition reads its value. Envoy keeps the request line and Host as the
  // pseudo-headers `:method`, `:authority`, `:path` and `:scheme`, so header matches on those
  // names see the request's method, Host as sent, path with query, and scheme; any other
  // `:`-name is never present in a request.
  enum class HeaderInput : uint8_t { kHeaderMap, kMethod, kAuthority, kPath, kScheme, kNever };
  struct Condition {
    Field field;
    std::string key;  // lower-case header name, or query parameter name as written
    StringMatcher matcher;
    HeaderInput input = HeaderInput::kHeaderMap;  // kHeader / kWithoutHeader only
  };
  bool check(const RequestView& req, std::string* why) const;
  static HeaderInput header_input(std::string_view lowercase_name);
  static std::optional<std::string_view> header_value(const RequestView& req, const Condition& c);

  std::vector<Condition> conditions_;
  std::optional<StringMatcher> uri_;  // copy of the uri condition, for rewrite/redirect/explain
  std::string name_;
};

// Where a block is being compiled into: one gateway listener port (and the gateways attached
// to this virtual host) or one mesh port. Used only at compile time.
struct BuildScope {
  uint32_t port = 0;
  const std::vector<std::string>* attached_gateways = nullptr;  // resolved "ns/name" or "mesh"
  const config::Labels* proxy_labels = nullptr;
  std::string_view proxy_namespace;
};

// Why a block does not exist in `scope` (port, gateways, sourceLabels, sourceNamespace), or
// nullopt when it applies. Gateway references in the block resolve in `vs_namespace`.
std::optional<std::string> build_time_exclusion(const config::HTTPMatchRequest& m, std::string_view vs_namespace,
                                                const BuildScope& scope);

}  // namespace sy::route
