// Passive health of one cluster's endpoint set (Istio outlierDetection = Envoy outlier detection
// without success-rate ejection, docs/semantics.md §8.3), shared by every worker.
//
// Threads: report() is called by any worker after each attempt, concurrently; it bumps per-endpoint
// atomic counters and ejects immediately when a consecutive-error threshold is reached (subject to
// maxEjectionPercent). sweep(now) un-ejects endpoints whose time is up; the main thread calls it
// every `interval`, and workers may call sweep_if_due(now) lazily. Concurrent sweeps are harmless
// (one runs, the others return false). eligible() is a lock-free read for each LB pick.
//
// Ejection lasts baseEjectionTime × times ejected, capped at max(300 s, baseEjectionTime), and
// ends at the first sweep after that (so up to one interval later, as in Envoy). Like Envoy, each
// sweep that finds an endpoint not ejected lowers its times-ejected multiplier by one.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "policy/cluster_policy.h"

namespace sy::policy {

using MonoTime = std::chrono::steady_clock::time_point;

// What one attempt to one endpoint taught us.
struct EndpointResult {
  enum class Kind : uint8_t {
    kResponse,        // a response head arrived; `status` says which
    kConnectFailure,  // local origin: connect refused / failed / timed out
    kTimeout,         // local origin: no response head in time
    kReset,           // local origin: connection closed or reset before a response head
    kConnectSuccess,  // local origin success; only matters with splitExternalLocalOriginErrors
  };
  Kind kind = Kind::kResponse;
  uint16_t status = 0;

  static EndpointResult response(uint16_t status) { return {Kind::kResponse, status}; }
};

// Why an endpoint was ejected (admin view, counters).
enum class EjectionReason : uint8_t { kNone, kConsecutive5xx, kConsecutiveGateway, kConsecutiveLocalOrigin };
const char* ejection_reason_name(EjectionReason r);

// A worker's view of which endpoints it may pick right now.
struct Eligibility {
  enum class Kind {
    kAll,   // no ejections (or panic mode): pass an empty span as PickContext::eligible
    kSome,  // pass `bits`
    kNone,  // every endpoint ejected, no panic mode: answer 503 "no healthy upstream", flag UH
  };
  Kind kind = Kind::kAll;
  std::span<const uint64_t> bits;  // kSome (and kNone: all zero); points into the caller's scratch
  bool panic = false;              // kAll because healthy % fell below minHealthPercent
};

// Per-endpoint state for the admin view.
struct EndpointOutlierView {
  std::string key;  // "address:port"
  bool ejected = false;
  MonoTime ejected_until{};
  uint32_t times_ejected = 0;
  uint32_t consecutive_5xx = 0, consecutive_gateway = 0, consecutive_local_origin = 0;
  EjectionReason last_reason = EjectionReason::kNone;
};

struct OutlierStats {
  uint64_t ejections_total = 0;     // ejections_enforced_total
  uint64_t ejections_active = 0;    // ejections_active
  uint64_t ejections_overflow = 0;  // threshold reached but maxEjectionPercent forbade ejecting
  uint64_t ejections_consecutive_5xx = 0, ejections_consecutive_gateway = 0, ejections_consecutive_local_origin = 0;
};

class OutlierDetector {
 public:
  // `endpoint_keys` identify the endpoints ("address:port"), in Cluster::endpoints order. When
  // `previous` is given (same cluster, older endpoint set), endpoints with the same key keep their
  // counters, multiplier and ejection; counters that `previous` receives afterwards are lost.
  //
  // `address_slots` leaves room for that many endpoints found at run time: the addresses a
  // `resolution: DNS` name resolves to, each its own host as in Envoy (ejected one by one),
  // handed out by address_slot(). `placeholders` (parallel to endpoint_keys, or empty) marks the
  // configured endpoints that are such names: they are no host themselves (not counted for
  // maxEjectionPercent or minHealthPercent, never ejected).
  OutlierDetector(const OutlierPolicy& policy, std::vector<std::string> endpoint_keys, MonoTime now,
                  const OutlierDetector* previous = nullptr, size_t address_slots = 0,
                  std::vector<bool> placeholders = {});

  static constexpr uint32_t kNoSlot = UINT32_MAX;
  // The slot of the run-time endpoint `key` ("ip:port"), assigned on first use; kNoSlot once the
  // room is used up (that address then goes unwatched). Takes a lock: called when a worker builds
  // a cluster runtime after a DNS answer, never per request.
  uint32_t address_slot(const std::string& key);
  OutlierDetector(const OutlierDetector&) = delete;
  OutlierDetector& operator=(const OutlierDetector&) = delete;

  // Any worker thread. Returns the reason when this report ejected the endpoint.
  EjectionReason report(size_t endpoint, EndpointResult result, MonoTime now);

  // Un-ejects endpoints whose ejection ended. Returns false when another sweep was running.
  bool sweep(MonoTime now);
  // sweep(now) if `interval` has passed since the last sweep; cheap when not due.
  bool sweep_if_due(MonoTime now);

  // Copies the eligibility bits into `scratch` (at least words() long) when needed.
  Eligibility eligible(std::span<uint64_t> scratch) const;
  size_t words() const { return (capacity_ + 63) / 64; }
  size_t size() const { return capacity_; }  // slots: configured endpoints, then address slots
  bool is_ejected(size_t endpoint) const;

  const OutlierPolicy& policy() const { return policy_; }
  const std::vector<std::string>& keys() const { return keys_; }  // the configured endpoints
  std::vector<EndpointOutlierView> view() const;
  OutlierStats stats() const;

 private:
  enum State : uint8_t { kHealthy, kEjecting, kEjected };
  struct Slot {
    std::atomic<uint8_t> state{kHealthy};  // kHealthy -> kEjecting (a reporter) -> kEjected -> kHealthy (sweep)
    std::atomic<uint32_t> consecutive_5xx{0}, consecutive_gateway{0}, consecutive_local{0};
    std::atomic<uint32_t> times_ejected{0};
    std::atomic<int64_t> ejected_until{0};  // steady_clock ticks since epoch; valid in kEjected
    std::atomic<uint8_t> last_reason{0};
  };

  EjectionReason count_failure(Slot& s, bool gateway, bool local_origin);
  bool try_eject(size_t endpoint, EjectionReason reason, MonoTime now);
  void reset_counters(Slot& s);
  void sweep_locked(MonoTime now);
  uint64_t max_ejected() const;

  bool is_placeholder(size_t slot) const { return slot < placeholders_.size() && placeholders_[slot]; }
  std::string slot_key(size_t slot) const;  // with address_mu_ held for address slots

  const OutlierPolicy policy_;
  const std::vector<std::string> keys_;
  const size_t capacity_;
  const std::vector<bool> placeholders_;
  mutable std::mutex address_mu_;
  std::vector<std::string> address_keys_;                    // guarded; "" = free
  std::unordered_map<std::string, uint32_t> address_index_;  // guarded
  std::atomic<size_t> hosts_{0};                             // slots that are hosts (see constructor)
  std::unique_ptr<Slot[]> slots_;
  std::unique_ptr<std::atomic<uint64_t>[]> eligible_;  // bit set = not ejected
  std::atomic<uint64_t> ejected_count_{0};
  std::atomic<int64_t> next_sweep_;
  std::atomic<bool> sweeping_{false};
  std::atomic<uint64_t> ejections_total_{0}, ejections_overflow_{0};
  std::atomic<uint64_t> ejections_by_reason_[4] = {};
};

}  // namespace sy::policy
