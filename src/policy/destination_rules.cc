#include "policy/destination_rules.h"

#include <fmt/format.h>

#include <algorithm>

#include "config/hostname.h"

namespace sy::policy {

bool exported_to(const std::vector<std::string>& export_to, std::string_view own_namespace,
                 std::string_view target_namespace) {
  if (export_to.empty()) return true;
  for (const auto& e : export_to) {
    if (e == "*") return true;
    if (e == "." && own_namespace == target_namespace) return true;
    if (e == target_namespace) return true;
  }
  return false;
}

const config::Subset* MergedDestinationRule::subset(std::string_view n) const {
  for (const auto* s : subsets)
    if (s->name == n) return s;
  return nullptr;
}

namespace {

bool selects(const config::Labels& selector, const config::Labels& labels) {
  for (const auto& [k, v] : selector) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

}  // namespace

DestinationRuleIndex::DestinationRuleIndex(const std::vector<config::DestinationRule>& rules,
                                           std::string proxy_namespace, const config::Labels& proxy_labels,
                                           std::string root_namespace)
    : proxy_namespace_(std::move(proxy_namespace)), root_namespace_(std::move(root_namespace)) {
  std::vector<const config::DestinationRule*> ordered;
  for (const auto& r : rules) ordered.push_back(&r);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto* a, const auto* b) { return a->source.index < b->source.index; });

  std::unordered_map<std::string, size_t> key_to_index;  // "ns|host"
  for (const config::DestinationRule* r : ordered) {
    const std::string& ns = r->meta.namespace_;
    if (r->workload_selector && (ns != proxy_namespace_ || !selects(*r->workload_selector, proxy_labels))) continue;
    std::string host = config::resolve_short_name(r->host, ns);
    std::string key = ns + "|" + host;
    auto [it, inserted] = key_to_index.emplace(key, merged_.size());
    if (inserted) {
      MergedDestinationRule m;
      m.host = host;
      m.namespace_ = ns;
      m.name = ns + "/" + r->meta.name;
      merged_.push_back(std::move(m));
    }
    MergedDestinationRule& m = merged_[it->second];
    m.contributors.push_back(fmt::format("{}/{} ({}:{})", ns, r->meta.name, r->source.file, r->source.line));
    if (!m.traffic_policy && r->traffic_policy) m.traffic_policy = &*r->traffic_policy;
    for (const auto& s : r->subsets)
      if (!m.subset(s.name)) m.subsets.push_back(&s);
    if (r->export_to.empty()) {
      m.export_to = {"*"};
    } else if (m.export_to != std::vector<std::string>{"*"}) {
      for (const auto& e : r->export_to)
        if (std::find(m.export_to.begin(), m.export_to.end(), e) == m.export_to.end()) m.export_to.push_back(e);
    }
  }
  for (size_t i = 0; i < merged_.size(); ++i) {
    NamespaceRules& nr = by_namespace_[merged_[i].namespace_];
    if (config::is_wildcard(merged_[i].host)) nr.wildcards.push_back(i);
    else nr.exact.emplace(merged_[i].host, i);
  }
  for (auto& [ns, nr] : by_namespace_) {
    std::stable_sort(nr.wildcards.begin(), nr.wildcards.end(),
                     [&](size_t a, size_t b) { return merged_[a].host.size() > merged_[b].host.size(); });
  }
}

bool DestinationRuleIndex::visible(const MergedDestinationRule& dr) const {
  return dr.namespace_ == proxy_namespace_ || exported_to(dr.export_to, dr.namespace_, proxy_namespace_);
}

const MergedDestinationRule* DestinationRuleIndex::find_in(const NamespaceRules& ns, std::string_view host) const {
  if (auto it = ns.exact.find(std::string(host)); it != ns.exact.end() && visible(merged_[it->second]))
    return &merged_[it->second];
  for (size_t i : ns.wildcards)
    if (config::host_covers(merged_[i].host, host) && visible(merged_[i])) return &merged_[i];
  return nullptr;
}

const MergedDestinationRule* DestinationRuleIndex::find(std::string_view host,
                                                        std::string_view service_namespace) const {
  std::string h = config::lower(host);
  for (std::string_view ns :
       {std::string_view(proxy_namespace_), service_namespace, std::string_view(root_namespace_)}) {
    auto it = by_namespace_.find(std::string(ns));
    if (it == by_namespace_.end()) continue;
    if (const auto* dr = find_in(it->second, h)) return dr;
  }
  return nullptr;
}

}  // namespace sy::policy
