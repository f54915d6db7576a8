// Reachability of a VirtualService's own rules, as Istio's validation reports it to istioctl
// analyze (pkg/config/validation: analyzeUnreachableHTTPRules/TCPRules/TLSRules):
//   IST0130 a rule is never used: a second rule without matches, a rule after one without
//           matches, or a rule whose every match a prior rule already has;
//   IST0131 one match is never used: the same match (its name aside) in a prior rule, or, for
//           http, a prefix match behind a prior prefix match that covers it with the same other
//           conditions (Istio's looser comparison of methods and headers is left out, so nothing
//           is reported that could still match).
// Beyond Istio: an http rule after one with a catch-all match (uri prefix "/" or regex ".*" and no
// other condition) is reported too, since compile drops it as Istio's route builder does.
// Rules are named as istioctl names them: "name" when set, else #index.
#include <fmt/format.h>

#include <map>

#include "config/analyze_index.h"
#include "config/validate_common.h"

namespace sy::config::detail {
namespace {

// A canonical text for a match, so equal matches compare equal (Istio compares JSON).
class MatchKey {
 public:
  MatchKey& add(std::string_view s) {
    out_ += std::to_string(s.size()) + ":" + std::string(s) + ";";
    return *this;
  }
  MatchKey& add(const std::optional<StringMatch>& m) {
    return m ? add(std::to_string(static_cast<int>(m->kind))).add(m->value) : add("-");
  }
  MatchKey& add(const std::optional<uint32_t>& n) { return add(n ? std::to_string(*n) : "-"); }
  MatchKey& add(const std::vector<std::string>& v) {
    add(std::to_string(v.size()));
    for (const auto& s : v) add(s);
    return *this;
  }
  template <class V>
  MatchKey& add(const std::map<std::string, V>& m) {
    add(std::to_string(m.size()));
    for (const auto& [k, v] : m) add(k).add(v);
    return *this;
  }
  MatchKey& add(const StringMatch& m) { return add(std::optional<StringMatch>(m)); }
  std::string str() const { return out_; }

 private:
  std::string out_;
};

// Everything of an http match but its name and uri.
std::string conditions_key(const HTTPMatchRequest& m) {
  return MatchKey()
      .add(m.scheme)
      .add(m.method)
      .add(m.authority)
      .add(m.headers)
      .add(m.port)
      .add(m.source_labels)
      .add(m.gateways)
      .add(m.query_params)
      .add(m.ignore_uri_case ? "i" : "")
      .add(m.without_headers)
      .add(m.source_namespace)
      .add(m.stat_prefix)
      .str();
}

std::string match_key(const L4MatchAttributes& m) {
  return MatchKey()
      .add(m.destination_subnets)
      .add(m.port)
      .add(m.source_subnet)
      .add(m.source_labels)
      .add(m.gateways)
      .add(m.source_namespace)
      .str();
}

std::string match_key(const TLSMatchAttributes& m) {
  return MatchKey()
      .add(m.sni_hosts)
      .add(m.destination_subnets)
      .add(m.port)
      .add(m.source_labels)
      .add(m.gateways)
      .add(m.source_namespace)
      .str();
}

std::string numbered(std::string_view name, size_t i) {
  return name.empty() ? fmt::format("#{}", i) : fmt::format("\"{}\"", name);
}

void unreachable(Reporter& r, const std::string& path, const std::string& rule, std::string_view reason) {
  r.warning(path, fmt::format("IST0130 VirtualService rule {} not used ({}).", rule, reason));
}

void ineffective(Reporter& r, const std::string& path, const std::string& rule, const std::string& match,
                 const std::string& dup) {
  r.warning(path, fmt::format("IST0131 VirtualService rule {} match {} is not used (duplicates a match in rule {}).",
                              rule, match, dup));
}

bool is_catch_all(const HTTPMatchRequest& m) {
  bool uri_all = !m.uri || m.uri->kind == StringMatch::Kind::kPresent ||
                 (m.uri->kind == StringMatch::Kind::kPrefix && m.uri->value == "/") ||
                 (m.uri->kind == StringMatch::Kind::kRegex && (m.uri->value == ".*" || m.uri->value == "/.*"));
  return uri_all && !m.scheme && !m.method && !m.authority && m.headers.empty() && m.without_headers.empty() &&
         m.query_params.empty() && !m.port && m.source_labels.empty() && m.gateways.empty() &&
         m.source_namespace.empty();
}

// A prefix match seen so far, for the covering check.
struct PrefixSeen {
  std::string prefix;
  std::string conditions;
  std::string match_name;
  std::string rule_name;
};

void check_http(Reporter& r, const std::vector<HTTPRoute>& rules) {
  std::map<std::string, size_t> seen;  // match key -> first rule using it
  std::vector<PrefixSeen> prefixes;
  std::optional<size_t> no_match, catch_all;
  for (size_t n = 0; n < rules.size(); ++n) {
    const HTTPRoute& rule = rules[n];
    const std::string path = indexed("spec.http", n);
    const std::string name = numbered(rule.name, n);
    if (rule.match.empty()) {
      if (no_match) unreachable(r, path, name, "only the last rule can have no matches");
      else if (catch_all)
        unreachable(r, path, name,
                    fmt::format("rule {} matches every request", numbered(rules[*catch_all].name, *catch_all)));
      no_match = n;
      continue;
    }
    if (no_match || catch_all) {
      unreachable(r, path, name,
                  no_match
                      ? "route without matches defined before"
                      : fmt::format("rule {} matches every request", numbered(rules[*catch_all].name, *catch_all)));
      continue;
    }
    size_t duplicates = 0;
    for (size_t m = 0; m < rule.match.size(); ++m) {
      const HTTPMatchRequest& match = rule.match[m];
      const std::string conditions = conditions_key(match);
      const std::string key = MatchKey().add(match.uri).str() + conditions;
      const std::string mpath = indexed(keyed(path, "match"), m);
      if (auto it = seen.find(key); it != seen.end()) {
        ineffective(r, mpath, name, numbered(match.name, m), numbered(rules[it->second].name, it->second));
        ++duplicates;
        continue;
      }
      seen.emplace(key, n);
      if (!match.uri || match.uri->kind != StringMatch::Kind::kPrefix) continue;
      const std::string mname = numbered(match.name, m);
      for (const PrefixSeen& p : prefixes) {
        if (p.prefix == match.uri->value || !match.uri->value.starts_with(p.prefix) || p.conditions != conditions)
          continue;
        ineffective(r, mpath, name, mname + " of prefix " + match.uri->value,
                    p.match_name + " of prefix " + p.prefix + " on " + p.rule_name);
        break;
      }
      prefixes.push_back({match.uri->value, conditions, mname, name});
    }
    if (duplicates == rule.match.size()) unreachable(r, path, name, "all matches used by prior rules");
    for (const auto& match : rule.match)
      if (!catch_all && is_catch_all(match)) catch_all = n;
  }
}

// tcp[] and tls[] rules: the same checks without names or prefixes.
template <class Rule>
void check_l4(Reporter& r, const std::string& field, const std::vector<Rule>& rules) {
  std::map<std::string, size_t> seen;
  std::optional<size_t> no_match;
  for (size_t n = 0; n < rules.size(); ++n) {
    const std::string path = indexed(field, n);
    const std::string name = numbered("", n);
    if (rules[n].match.empty()) {
      if (no_match) unreachable(r, path, name, "only the last rule can have no matches");
      no_match = n;
      continue;
    }
    if (no_match) {
      unreachable(r, path, name, "route without matches defined before");
      continue;
    }
    size_t duplicates = 0;
    for (size_t m = 0; m < rules[n].match.size(); ++m) {
      auto [it, inserted] = seen.emplace(match_key(rules[n].match[m]), n);
      if (inserted) continue;
      ineffective(r, indexed(keyed(path, "match"), m), name, numbered("", m), numbered("", it->second));
      ++duplicates;
    }
    if (duplicates == rules[n].match.size()) unreachable(r, path, name, "all matches used by prior rules");
  }
}

}  // namespace

void analyze_unreachable_rules(const ConfigIndex& index, Diagnostics& out) {
  for (const auto& vs : index.config().virtual_services) {
    Reporter r(out, "VirtualService", vs.meta, vs.source);
    check_http(r, vs.http);
    check_l4(r, "spec.tcp", vs.tcp);
    check_l4(r, "spec.tls", vs.tls);
  }
}

}  // namespace sy::config::detail
