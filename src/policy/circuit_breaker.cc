#include "policy/circuit_breaker.h"

namespace sy::policy {

namespace {
constexpr auto kRelaxed = std::memory_order_relaxed;

ResourceToken take(LimitedResource& r, std::atomic<uint64_t>* overflow) {
  if (r.try_acquire()) return ResourceToken(&r);
  if (overflow) overflow->fetch_add(1, kRelaxed);
  return {};
}
}  // namespace

bool LimitedResource::try_acquire_below(uint64_t limit) {
  uint64_t current = count_.load(kRelaxed);
  do {
    if (current >= limit) return false;
  } while (!count_.compare_exchange_weak(current, current + 1, kRelaxed, kRelaxed));
  return true;
}

CircuitBreaker::CircuitBreaker(const CircuitBreakerLimits& limits)
    : connections_(limits.max_connections),
      pending_(limits.max_pending_requests),
      requests_(limits.max_requests),
      retries_(limits.max_retries) {}

void CircuitBreaker::set_limits(const CircuitBreakerLimits& limits) {
  connections_.set_limit(limits.max_connections);
  pending_.set_limit(limits.max_pending_requests);
  requests_.set_limit(limits.max_requests);
  retries_.set_limit(limits.max_retries);
}

CircuitBreakerLimits CircuitBreaker::limits() const {
  return {connections_.limit(), pending_.limit(), requests_.limit(), retries_.limit()};
}

ResourceToken CircuitBreaker::try_start_request() { return take(requests_, &rq_overflow_); }
ResourceToken CircuitBreaker::try_open_connection() { return take(connections_, &cx_overflow_); }
ResourceToken CircuitBreaker::retry_open_connection() { return take(connections_, nullptr); }
ResourceToken CircuitBreaker::try_queue_pending() { return take(pending_, &rq_pending_overflow_); }
ResourceToken CircuitBreaker::try_retry() { return take(retries_, &rq_retry_overflow_); }

CircuitBreaker::Admission CircuitBreaker::admit(bool idle_connection_available) {
  Admission a;
  if (idle_connection_available) {
    a.request = try_start_request();
    a.kind = a.request ? Admission::Kind::kAttach : Admission::Kind::kOverflow;
    return a;
  }
  a.pending = try_queue_pending();
  if (!a.pending) return a;  // kOverflow, counted as rq_pending_overflow
  a.connection = try_open_connection();
  a.kind = a.connection ? Admission::Kind::kConnect : Admission::Kind::kWait;
  return a;
}

CircuitBreakerStats CircuitBreaker::stats() const {
  CircuitBreakerStats s;
  s.cx_active = connections_.count();
  s.rq_pending_active = pending_.count();
  s.rq_active = requests_.count();
  s.rq_retry_active = retries_.count();
  s.cx_open = connections_.open();
  s.rq_pending_open = pending_.open();
  s.rq_open = requests_.open();
  s.rq_retry_open = retries_.open();
  s.cx_overflow = cx_overflow_.load(kRelaxed);
  s.rq_pending_overflow = rq_pending_overflow_.load(kRelaxed);
  s.rq_overflow = rq_overflow_.load(kRelaxed);
  s.rq_retry_overflow = rq_retry_overflow_.load(kRelaxed);
  return s;
}

}  // namespace sy::policy
