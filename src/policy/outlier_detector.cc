#include "policy/outlier_detector.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <unordered_map>

namespace sy::policy {

namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr Duration kMaxEjectionTime = std::chrono::seconds(300);  // Envoy's max_ejection_time default

int64_t to_ticks(MonoTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
MonoTime from_ticks(int64_t ns) {
  return MonoTime(std::chrono::duration_cast<MonoTime::duration>(std::chrono::nanoseconds(ns)));
}

bool is_gateway_error(uint16_t status) { return status == 502 || status == 503 || status == 504; }

}  // namespace

const char* ejection_reason_name(EjectionReason r) {
  switch (r) {
    case EjectionReason::kNone:
      return "none";
    case EjectionReason::kConsecutive5xx:
      return "consecutive_5xx";
    case EjectionReason::kConsecutiveGateway:
      return "consecutive_gateway_failure";
    case EjectionReason::kConsecutiveLocalOrigin:
      return "consecutive_local_origin_failure";
  }
  return "none";
}

OutlierDetector::OutlierDetector(const OutlierPolicy& policy, std::vector<std::string> endpoint_keys, MonoTime now,
                                 const OutlierDetector* previous, size_t address_slots, std::vector<bool> placeholders)
    : policy_(policy),
      keys_(std::move(endpoint_keys)),
      capacity_(keys_.size() + address_slots),
      placeholders_(std::move(placeholders)),
      address_keys_(address_slots),
      slots_(new Slot[capacity_]),
      eligible_(new std::atomic<uint64_t>[words()]),
      next_sweep_(to_ticks(now + std::chrono::duration_cast<MonoTime::duration>(policy.interval))) {
  const size_t n = capacity_;
  for (size_t w = 0; w < words(); ++w) {
    const size_t bits = std::min<size_t>(64, n - w * 64);
    eligible_[w].store(bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1, kRelaxed);
  }
  size_t hosts = 0;
  for (size_t i = 0; i < keys_.size(); ++i) hosts += !is_placeholder(i);
  hosts_.store(hosts, kRelaxed);
  if (!previous || !policy_.enabled) return;

  next_sweep_.store(previous->next_sweep_.load(kRelaxed), kRelaxed);
  std::unordered_map<std::string, size_t> old_index;
  {
    std::lock_guard lock(previous->address_mu_);
    for (size_t i = 0; i < previous->capacity_; ++i) {
      std::string key = previous->slot_key(i);
      if (key.empty()) continue;
      // The addresses the previous set had learnt keep their slots' state here too.
      if (i >= previous->keys_.size()) address_slot(key);
      old_index.emplace(std::move(key), i);
    }
  }
  std::lock_guard lock(address_mu_);
  for (size_t i = 0; i < n; ++i) {
    const std::string key = slot_key(i);
    if (key.empty()) continue;
    auto it = old_index.find(key);
    if (it == old_index.end()) continue;
    const Slot& from = previous->slots_[it->second];
    Slot& to = slots_[i];
    to.consecutive_5xx.store(from.consecutive_5xx.load(kRelaxed), kRelaxed);
    to.consecutive_gateway.store(from.consecutive_gateway.load(kRelaxed), kRelaxed);
    to.consecutive_local.store(from.consecutive_local.load(kRelaxed), kRelaxed);
    to.times_ejected.store(from.times_ejected.load(kRelaxed), kRelaxed);
    to.last_reason.store(from.last_reason.load(kRelaxed), kRelaxed);
    if (from.state.load(std::memory_order_acquire) == kEjected) {
      // Carried over even if it exceeds the new set's maxEjectionPercent; the sweep returns it.
      to.ejected_until.store(from.ejected_until.load(kRelaxed), kRelaxed);
      to.state.store(kEjected, kRelaxed);
      eligible_[i / 64].fetch_and(~(uint64_t{1} << (i % 64)), kRelaxed);
      ejected_count_.fetch_add(1, kRelaxed);
    }
  }
}

std::string OutlierDetector::slot_key(size_t slot) const {
  if (slot < keys_.size()) return is_placeholder(slot) ? std::string() : keys_[slot];
  return address_keys_[slot - keys_.size()];
}

uint32_t OutlierDetector::address_slot(const std::string& key) {
  std::lock_guard lock(address_mu_);
  if (auto it = address_index_.find(key); it != address_index_.end()) return it->second;
  const size_t used = address_index_.size();
  if (used >= address_keys_.size()) return kNoSlot;
  const auto slot = static_cast<uint32_t>(keys_.size() + used);
  address_keys_[used] = key;
  address_index_.emplace(key, slot);
  hosts_.fetch_add(1, kRelaxed);
  return slot;
}

uint64_t OutlierDetector::max_ejected() const {
  const uint64_t n = hosts_.load(kRelaxed);
  if (n == 0) return 0;
  const uint64_t pct = std::min<uint32_t>(policy_.max_ejection_percent, 100);
  return std::max<uint64_t>(1, n * pct / 100);  // Envoy always lets one host go
}

EjectionReason OutlierDetector::report(size_t endpoint, EndpointResult result, MonoTime now) {
  if (!policy_.enabled || endpoint >= capacity_ || is_placeholder(endpoint)) return EjectionReason::kNone;
  Slot& s = slots_[endpoint];
  const bool split = policy_.split_local_origin;
  switch (result.kind) {
    case EndpointResult::Kind::kResponse:
      if (split) s.consecutive_local.store(0, kRelaxed);  // the connection worked
      if (result.status >= 500 && result.status <= 599) {
        const EjectionReason r = count_failure(s, is_gateway_error(result.status), false);
        return r != EjectionReason::kNone && try_eject(endpoint, r, now) ? r : EjectionReason::kNone;
      }
      s.consecutive_5xx.store(0, kRelaxed);
      s.consecutive_gateway.store(0, kRelaxed);
      return EjectionReason::kNone;
    case EndpointResult::Kind::kConnectFailure:
    case EndpointResult::Kind::kTimeout:
    case EndpointResult::Kind::kReset: {
      // Unsplit, Envoy reads these as 503 / 504 / 502: both a 5xx and a gateway error.
      const EjectionReason r = count_failure(s, true, split);
      return r != EjectionReason::kNone && try_eject(endpoint, r, now) ? r : EjectionReason::kNone;
    }
    case EndpointResult::Kind::kConnectSuccess:
      if (split) s.consecutive_local.store(0, kRelaxed);
      return EjectionReason::kNone;
  }
  return EjectionReason::kNone;
}

// Bumps the counters for one failure; returns the threshold it reached, if any. A counter stays
// at or above its threshold until an ejection resets it, so a refused ejection is retried on the
// next failure.
EjectionReason OutlierDetector::count_failure(Slot& s, bool gateway, bool local_origin) {
  if (local_origin) {
    const uint32_t n = s.consecutive_local.fetch_add(1, kRelaxed) + 1;
    const uint32_t limit = policy_.consecutive_local_origin;
    return limit > 0 && n >= limit ? EjectionReason::kConsecutiveLocalOrigin : EjectionReason::kNone;
  }
  uint32_t gw = 0;
  if (gateway) gw = s.consecutive_gateway.fetch_add(1, kRelaxed) + 1;
  else s.consecutive_gateway.store(0, kRelaxed);
  const uint32_t n5 = s.consecutive_5xx.fetch_add(1, kRelaxed) + 1;
  if (policy_.consecutive_gateway > 0 && gw >= policy_.consecutive_gateway) return EjectionReason::kConsecutiveGateway;
  if (policy_.consecutive_5xx > 0 && n5 >= policy_.consecutive_5xx) return EjectionReason::kConsecutive5xx;
  return EjectionReason::kNone;
}

bool OutlierDetector::try_eject(size_t endpoint, EjectionReason reason, MonoTime now) {
  Slot& s = slots_[endpoint];
  uint8_t expected = kHealthy;
  if (!s.state.compare_exchange_strong(expected, kEjecting, std::memory_order_acquire, kRelaxed)) return false;

  uint64_t ejected = ejected_count_.load(kRelaxed);
  const uint64_t limit = max_ejected();
  do {
    if (ejected >= limit) {
      s.state.store(kHealthy, std::memory_order_release);
      ejections_overflow_.fetch_add(1, kRelaxed);
      return false;
    }
  } while (!ejected_count_.compare_exchange_weak(ejected, ejected + 1, kRelaxed, kRelaxed));

  const uint32_t times = s.times_ejected.fetch_add(1, kRelaxed) + 1;
  const Duration cap = std::max(kMaxEjectionTime, policy_.base_ejection_time);
  const Duration length = std::min<Duration>(policy_.base_ejection_time * times, cap);
  s.ejected_until.store(to_ticks(now) + std::chrono::duration_cast<std::chrono::nanoseconds>(length).count(), kRelaxed);
  s.last_reason.store(static_cast<uint8_t>(reason), kRelaxed);
  reset_counters(s);
  eligible_[endpoint / 64].fetch_and(~(uint64_t{1} << (endpoint % 64)), kRelaxed);
  s.state.store(kEjected, std::memory_order_release);
  ejections_total_.fetch_add(1, kRelaxed);
  ejections_by_reason_[static_cast<size_t>(reason)].fetch_add(1, kRelaxed);
  return true;
}

void OutlierDetector::reset_counters(Slot& s) {
  s.consecutive_5xx.store(0, kRelaxed);
  s.consecutive_gateway.store(0, kRelaxed);
  s.consecutive_local.store(0, kRelaxed);
}

bool OutlierDetector::sweep(MonoTime now) {
  if (sweeping_.exchange(true, std::memory_order_acquire)) return false;
  sweep_locked(now);
  next_sweep_.store(to_ticks(now + std::chrono::duration_cast<MonoTime::duration>(policy_.interval)), kRelaxed);
  sweeping_.store(false, std::memory_order_release);
  return true;
}

bool OutlierDetector::sweep_if_due(MonoTime now) {
  if (to_ticks(now) < next_sweep_.load(kRelaxed)) return false;
  return sweep(now);
}

void OutlierDetector::sweep_locked(MonoTime now) {
  const int64_t t = to_ticks(now);
  for (size_t i = 0; i < capacity_; ++i) {
    Slot& s = slots_[i];
    const uint8_t state = s.state.load(std::memory_order_acquire);
    if (state == kEjected) {
      if (t < s.ejected_until.load(kRelaxed)) continue;
      reset_counters(s);
      eligible_[i / 64].fetch_or(uint64_t{1} << (i % 64), kRelaxed);
      s.state.store(kHealthy, std::memory_order_release);
      ejected_count_.fetch_sub(1, kRelaxed);
    } else if (state == kHealthy) {
      // Not ejected during the last interval: the next ejection is one step shorter.
      uint32_t times = s.times_ejected.load(kRelaxed);
      while (times > 0 && !s.times_ejected.compare_exchange_weak(times, times - 1, kRelaxed, kRelaxed)) {
      }
    }
  }
}

Eligibility OutlierDetector::eligible(std::span<uint64_t> scratch) const {
  const size_t n = hosts_.load(kRelaxed);
  if (n == 0 || ejected_count_.load(kRelaxed) == 0) return {};
  assert(scratch.size() >= words());
  size_t set = 0;
  for (size_t w = 0; w < words(); ++w) {
    scratch[w] = eligible_[w].load(kRelaxed);
    set += static_cast<size_t>(std::popcount(scratch[w]));
  }
  // Slots that are no host (placeholders, free address slots) are never ejected: their bits are set.
  const size_t not_hosts = capacity_ - std::min(n, capacity_);
  const size_t healthy = set > not_hosts ? set - not_hosts : 0;
  const auto bits = std::span<const uint64_t>(scratch.data(), words());
  if (policy_.min_health_percent > 0 && healthy * 100 < uint64_t{policy_.min_health_percent} * n)
    return {Eligibility::Kind::kAll, {}, true};
  if (healthy == 0) return {Eligibility::Kind::kNone, bits, false};
  return {Eligibility::Kind::kSome, bits, false};
}

bool OutlierDetector::is_ejected(size_t endpoint) const {
  return endpoint < capacity_ && slots_[endpoint].state.load(std::memory_order_acquire) == kEjected;
}

std::vector<EndpointOutlierView> OutlierDetector::view() const {
  std::vector<EndpointOutlierView> out;
  out.reserve(keys_.size());
  std::lock_guard lock(address_mu_);
  for (size_t i = 0; i < capacity_; ++i) {
    const Slot& s = slots_[i];
    EndpointOutlierView v;
    v.key = slot_key(i);
    if (v.key.empty()) continue;  // a placeholder name, or a free address slot
    v.ejected = s.state.load(std::memory_order_acquire) == kEjected;
    if (v.ejected) v.ejected_until = from_ticks(s.ejected_until.load(kRelaxed));
    v.times_ejected = s.times_ejected.load(kRelaxed);
    v.consecutive_5xx = s.consecutive_5xx.load(kRelaxed);
    v.consecutive_gateway = s.consecutive_gateway.load(kRelaxed);
    v.consecutive_local_origin = s.consecutive_local.load(kRelaxed);
    v.last_reason = static_cast<EjectionReason>(s.last_reason.load(kRelaxed));
    out.push_back(std::move(v));
  }
  return out;
}

OutlierStats OutlierDetector::stats() const {
  OutlierStats s;
  s.ejections_total = ejections_total_.load(kRelaxed);
  s.ejections_active = ejected_count_.load(kRelaxed);
  s.ejections_overflow = ejections_overflow_.load(kRelaxed);
  s.ejections_consecutive_5xx =
      ejections_by_reason_[static_cast<size_t>(EjectionReason::kConsecutive5xx)].load(kRelaxed);
  s.ejections_consecutive_gateway =
      ejections_by_reason_[static_cast<size_t>(EjectionReason::kConsecutiveGateway)].load(kRelaxed);
  s.ejections_consecutive_local_origin =
      ejections_by_reason_[static_cast<size_t>(EjectionReason::kConsecutiveLocalOrigin)].load(kRelaxed);
  return s;
}

}  // namespace sy::policy
