#include "policy/cluster_state.h"

#include <algorithm>
#include <unordered_set>

#include "snapshot/snapshot.h"

#include <boost/asio/ip/address.hpp>

namespace sy::policy {

namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

bool same_outlier_policy(const OutlierPolicy& a, const OutlierPolicy& b) {
  return a.enabled == b.enabled && a.consecutive_5xx == b.consecutive_5xx &&
         a.consecutive_gateway == b.consecutive_gateway && a.consecutive_local_origin == b.consecutive_local_origin &&
         a.split_local_origin == b.split_local_origin && a.interval == b.interval &&
         a.base_ejection_time == b.base_ejection_time && a.max_ejection_percent == b.max_ejection_percent &&
         a.min_health_percent == b.min_health_percent;
}

// Join times for `keys`: a key the previous state knew keeps its time, a new one joins `now`.
std::vector<MonoTime> join_times(const std::vector<std::string>& keys, const ClusterState* previous, MonoTime now) {
  std::unordered_map<std::string_view, MonoTime> known;
  if (previous && previous->joined().size() == previous->outlier().keys().size()) {
    for (size_t i = 0; i < previous->joined().size(); ++i) known.emplace(previous->outlier().keys()[i], previous->joined()[i]);
  }
  std::vector<MonoTime> out;
  out.reserve(keys.size());
  for (const std::string& k : keys) {
    auto it = known.find(k);
    out.push_back(it != known.end() ? it->second : now);
  }
  return out;
}

// `resolution: DNS`: each resolved address is its own host for outlier detection (Envoy's
// STRICT_DNS), in address slots beside the configured names, which are placeholders.
constexpr size_t kAddressSlotsPerName = 64;
constexpr size_t kMaxAddressSlots = 4096;

struct AddressSlots {
  size_t count = 0;
  std::vector<bool> placeholders;
};

AddressSlots address_slots(const snapshot::Cluster& c) {
  AddressSlots out;
  if (c.discovery != snapshot::Discovery::kDns) return out;
  out.placeholders.resize(c.endpoints.size());
  size_t names = 0;
  for (size_t i = 0; i < c.endpoints.size(); ++i) {
    const std::string& a = c.endpoints[i].address;
    boost::system::error_code ec;
    boost::asio::ip::make_address(a, ec);
    const bool name = ec && !a.starts_with("unix://");
    out.placeholders[i] = name;
    names += name;
  }
  out.count = std::min(kMaxAddressSlots, names * kAddressSlotsPerName);
  return out;
}

std::vector<std::string> endpoint_keys(const snapshot::Cluster& c) {
  std::vector<std::string> keys;
  keys.reserve(c.endpoints.size());
  for (const auto& e : c.endpoints) keys.push_back(endpoint_key(e.address, e.port));
  return keys;
}

}  // namespace

std::string endpoint_key(const std::string& address, uint32_t port) {
  // Bracket IPv6 literals so the port stays unambiguous.
  if (address.find(':') != std::string::npos && address.rfind("unix:", 0) != 0)
    return "[" + address + "]:" + std::to_string(port);
  return address + ":" + std::to_string(port);
}

// === ClusterState ===

ClusterState::ClusterState(std::shared_ptr<ClusterShared> shared, std::unique_ptr<OutlierDetector> outlier,
                           std::vector<MonoTime> joined)
    : shared_(std::move(shared)), outlier_(std::move(outlier)), joined_(std::move(joined)) {}

RetryAdmission ClusterState::try_retry() {
  RetryAdmission a;
  CircuitBreaker& cb = shared_->breaker;
  a.budget = shared_->retry_budget.try_acquire(cb.active_requests() + cb.pending_requests());
  if (!a.budget) {
    a.refusal = RetryAdmission::Refusal::kBudget;
    return a;
  }
  if (!shared_->retry_budget.replaces_max_retries()) {
    a.max_retries = cb.try_retry();
    if (!a.max_retries) {
      a.budget.reset();
      a.refusal = RetryAdmission::Refusal::kMaxRetries;
      return a;
    }
  }
  ClusterCounters::bump(shared_->counters.rq_retry);
  return a;
}

ClusterStats ClusterState::stats() const {
  ClusterStats s;
  s.name = shared_->name;
  s.breaker = shared_->breaker.stats();
  s.retry_budget_active = shared_->retry_budget.active();
  s.retry_budget_refused = shared_->retry_budget.refused();
  s.outlier = outlier_->stats();
  const ClusterCounters& c = shared_->counters;
  s.rq_total = c.rq_total.load(kRelaxed);
  s.rq_retry = c.rq_retry.load(kRelaxed);
  s.rq_timeout = c.rq_timeout.load(kRelaxed);
  s.rq_per_try_timeout = c.rq_per_try_timeout.load(kRelaxed);
  s.cx_total = c.cx_total.load(kRelaxed);
  s.cx_connect_fail = c.cx_connect_fail.load(kRelaxed);
  return s;
}

// === ClusterStateRegistry ===

ClusterStateRegistry::Bound ClusterStateRegistry::bind(const snapshot::Snapshot& snap, MonoTime now) {
  std::lock_guard lock(mu_);
  if (last_snapshot_ == &snap && last_version_ == snap.version && last_hash_ == snap.content_hash) return last_bound_;

  // A worker that adopted an older snapshot late must not roll limits or endpoint state back.
  const bool newest = snap.version >= newest_version_;
  Bound out;
  out.reserve(snap.clusters.size());
  for (const auto& c : snap.clusters) out.push_back(bind_cluster(c, newest, now));

  if (newest) {
    newest_version_ = snap.version;
    std::unordered_set<std::string_view> live;
    for (const auto& c : snap.clusters) live.insert(c.name);
    std::erase_if(entries_, [&](const auto& kv) { return !live.contains(kv.first); });
  }
  last_snapshot_ = &snap;
  last_version_ = snap.version;
  last_hash_ = snap.content_hash;
  last_bound_ = out;
  return out;
}

std::shared_ptr<ClusterState> ClusterStateRegistry::bind_cluster(const snapshot::Cluster& c, bool newest,
                                                                 MonoTime now) {
  std::vector<std::string> keys = endpoint_keys(c);
  auto it = entries_.find(c.name);
  if (it == entries_.end()) {
    auto shared = std::make_shared<ClusterShared>(c.name);
    shared->breaker.set_limits(CircuitBreakerLimits::from(c.policy.connection_pool));
    shared->retry_budget.set_config(RetryBudgetConfig::from(c.policy));
    std::vector<MonoTime> joined = join_times(keys, nullptr, now);
    AddressSlots slots = address_slots(c);
    auto state = std::make_shared<ClusterState>(
        shared,
        std::make_unique<OutlierDetector>(c.policy.outlier, std::move(keys), now, nullptr, slots.count,
                                          std::move(slots.placeholders)),
        std::move(joined));
    // A late binding of an older snapshot gets working but unregistered state for a cluster the
    // newest snapshot no longer has.
    if (newest) entries_.emplace(c.name, Entry{shared, state});
    return state;
  }
  Entry& e = it->second;
  if (newest) {
    e.shared->breaker.set_limits(CircuitBreakerLimits::from(c.policy.connection_pool));
    e.shared->retry_budget.set_config(RetryBudgetConfig::from(c.policy));
  }
  if (e.current->outlier().keys() == keys && same_outlier_policy(e.current->outlier().policy(), c.policy.outlier))
    return e.current;
  std::vector<MonoTime> joined = join_times(keys, e.current.get(), now);
  AddressSlots slots = address_slots(c);
  auto state = std::make_shared<ClusterState>(
      e.shared,
      std::make_unique<OutlierDetector>(c.policy.outlier, std::move(keys), now, &e.current->outlier(), slots.count,
                                        std::move(slots.placeholders)),
      std::move(joined));
  if (newest) e.current = state;
  return state;
}

void ClusterStateRegistry::sweep_all(MonoTime now) {
  std::lock_guard lock(mu_);
  for (auto& [name, e] : entries_) e.current->outlier().sweep_if_due(now);
}

std::vector<ClusterStateRegistry::ClusterView> ClusterStateRegistry::view() const {
  std::lock_guard lock(mu_);
  std::vector<ClusterView> out;
  out.reserve(entries_.size());
  for (const auto& [name, e] : entries_) {
    out.push_back({e.current->stats(), e.current->outlier().view()});
  }
  std::sort(out.begin(), out.end(),
            [](const ClusterView& a, const ClusterView& b) { return a.stats.name < b.stats.name; });
  return out;
}

size_t ClusterStateRegistry::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace sy::policy
