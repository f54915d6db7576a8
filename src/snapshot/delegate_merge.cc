// Root + delegate rule merging, field for field as istio/istio pilot/pkg/model/virtualservice.go
// does it (see delegate_merge.h). Istio's StringMatch getters return "" for another kind, so a
// `{}` (presence) matcher counts as none of exact/prefix/regex here too.
#include "snapshot/delegate_merge.h"

#include <algorithm>

#include "config/hostname.h"

namespace sy::snapshot {
namespace {

using config::HTTPMatchRequest;
using config::StringMatch;
using Kind = StringMatch::Kind;

// The value of `m` when it is of kind `k` and non-empty, else "" (Istio's GetExact/GetPrefix/GetRegex).
std::string_view value_of(const StringMatch& m, Kind k) { return m.kind == k ? std::string_view(m.value) : ""; }

bool string_match_conflict(const StringMatch* root, const StringMatch* leaf) {
  if (!root || !leaf) return false;  // one side leaves the field open
  const std::string_view r_exact = value_of(*root, Kind::kExact), r_prefix = value_of(*root, Kind::kPrefix),
                         r_regex = value_of(*root, Kind::kRegex);
  const std::string_view l_exact = value_of(*leaf, Kind::kExact), l_prefix = value_of(*leaf, Kind::kPrefix),
                         l_regex = value_of(*leaf, Kind::kRegex);
  // Whether one regex contains another (or a literal) is undecidable here; Istio refuses both ways.
  if (!r_regex.empty() && (!l_regex.empty() || !l_prefix.empty() || !l_exact.empty())) return true;
  if (!l_regex.empty() && (!r_regex.empty() || !r_prefix.empty() || !r_exact.empty())) return true;
  if (!r_exact.empty()) return !l_prefix.empty() || l_exact != r_exact;
  if (!r_prefix.empty()) {
    if (!l_prefix.empty()) return !l_prefix.starts_with(r_prefix);
    if (!l_exact.empty()) return !l_exact.starts_with(r_prefix);
  }
  return true;
}

const StringMatch* ptr(const std::optional<StringMatch>& m) { return m ? &*m : nullptr; }

const StringMatch* find(const std::map<std::string, StringMatch>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

bool map_conflicts(const std::map<std::string, StringMatch>& root, const std::map<std::string, StringMatch>& leaf) {
  return std::any_of(leaf.begin(), leaf.end(),
                     [&](const auto& kv) { return string_match_conflict(find(root, kv.first), &kv.second); });
}

bool gateways_conflict(const std::vector<std::string>& root, const std::vector<std::string>& leaf) {
  if (root.empty() || leaf.empty()) return false;
  if (root.size() < leaf.size()) return true;
  return std::any_of(leaf.begin(), leaf.end(),
                     [&](const std::string& g) { return std::find(root.begin(), root.end(), g) == root.end(); });
}

// `leaf`'s entries over `root`'s: the delegate's value wins a key both set.
template <class V>
std::map<std::string, V> union_of(const std::map<std::string, V>& root, const std::map<std::string, V>& leaf) {
  std::map<std::string, V> out = leaf;
  out.insert(root.begin(), root.end());  // insert keeps an existing key's value
  return out;
}

std::string combined_name(const std::string& root, const std::string& leaf) {
  if (leaf.empty()) return root;
  return root.empty() ? leaf : root + "-" + leaf;
}

template <class T>
void inherit(std::optional<T>& leaf, const std::optional<T>& root) {
  if (!leaf) leaf = root;
}

}  // namespace

bool match_conflicts(const HTTPMatchRequest& root, const HTTPMatchRequest& leaf) {
  if (string_match_conflict(ptr(root.uri), ptr(leaf.uri)) ||
      string_match_conflict(ptr(root.scheme), ptr(leaf.scheme)) ||
      string_match_conflict(ptr(root.method), ptr(leaf.method)) ||
      string_match_conflict(ptr(root.authority), ptr(leaf.authority)))
    return true;
  if (map_conflicts(root.headers, leaf.headers) || map_conflicts(root.without_headers, leaf.without_headers) ||
      map_conflicts(root.query_params, leaf.query_params))
    return true;
  if (root.ignore_uri_case != leaf.ignore_uri_case) return true;
  if (root.port && leaf.port && *root.port != *leaf.port) return true;
  // Istio's test: a root sourceNamespace must be repeated by the delegate, not merely left unset.
  if (!root.source_namespace.empty() && leaf.source_namespace != root.source_namespace) return true;
  for (const auto& [k, v] : leaf.source_labels)
    if (auto it = root.source_labels.find(k); it != root.source_labels.end() && it->second != v) return true;
  return gateways_conflict(root.gateways, leaf.gateways);
}

HTTPMatchRequest merge_match(const HTTPMatchRequest& root, const HTTPMatchRequest& leaf) {
  HTTPMatchRequest out = leaf;
  out.name = combined_name(root.name, leaf.name);
  inherit(out.uri, root.uri);
  inherit(out.scheme, root.scheme);
  inherit(out.method, root.method);
  inherit(out.authority, root.authority);
  out.headers = union_of(root.headers, leaf.headers);
  out.without_headers = union_of(root.without_headers, leaf.without_headers);
  out.query_params = union_of(root.query_params, leaf.query_params);
  inherit(out.port, root.port);
  out.source_labels = union_of(root.source_labels, leaf.source_labels);
  if (out.source_namespace.empty()) out.source_namespace = root.source_namespace;
  if (out.gateways.empty()) out.gateways = root.gateways;
  if (out.stat_prefix.empty()) out.stat_prefix = root.stat_prefix;
  return out;
}

std::optional<std::vector<HTTPMatchRequest>> merge_matches(const std::vector<HTTPMatchRequest>& root,
                                                           const std::vector<HTTPMatchRequest>& leaf) {
  if (root.empty()) return leaf;
  if (leaf.empty()) return root;
  std::vector<HTTPMatchRequest> out;
  for (const HTTPMatchRequest& l : leaf) {
    bool fits = false;
    for (const HTTPMatchRequest& r : root) {
      if (match_conflicts(r, l)) continue;
      out.push_back(merge_match(r, l));
      fits = true;
    }
    if (!fits) return std::nullopt;
  }
  return out;
}

std::optional<config::HTTPRoute> merge_route(const config::HTTPRoute& root, const config::HTTPRoute& leaf) {
  auto matches = merge_matches(root.match, leaf.match);
  if (!matches) return std::nullopt;
  config::HTTPRoute out = leaf;
  out.match = std::move(*matches);
  out.name = combined_name(root.name, leaf.name);
  inherit(out.rewrite, root.rewrite);
  inherit(out.direct_response, root.direct_response);
  inherit(out.timeout, root.timeout);
  inherit(out.retries, root.retries);
  inherit(out.fault, root.fault);
  inherit(out.mirror, root.mirror);
  inherit(out.mirror_percent, root.mirror_percent);
  inherit(out.mirror_percentage, root.mirror_percentage);
  inherit(out.cors_policy, root.cors_policy);
  if (out.mirrors.empty()) out.mirrors = root.mirrors;
  inherit(out.headers, root.headers);
  return out;
}

void qualify_references(config::HTTPRoute& r, const std::string& ns) {
  for (auto& d : r.route) d.destination.host = config::resolve_short_name(d.destination.host, ns);
  if (r.mirror) r.mirror->host = config::resolve_short_name(r.mirror->host, ns);
  for (auto& m : r.mirrors) m.destination.host = config::resolve_short_name(m.destination.host, ns);
  for (auto& m : r.match)
    for (auto& g : m.gateways) g = config::resolve_gateway_ref(g, ns);
}

}  // namespace sy::snapshot
