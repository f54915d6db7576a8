// consistentHash.maglev: a lookup table of prime size M where every endpoint claims slots along
// its own permutation of 0..M-1 (offset + j*skip mod M), taking turns in proportion to weight.
// A key goes to table[hash % M]: one array read, and removing an endpoint moves little more than
// that endpoint's keys. Built once per endpoint set, shared read-only by workers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "lb/endpoint.h"
#include "lb/pick_context.h"

namespace sy::lb {

class Maglev {
 public:
  // table_size is rounded up to a prime (and to at least the endpoint count).
  Maglev(std::span<const Endpoint> endpoints, uint64_t table_size);

  // table[hash % M]; if that endpoint is not a candidate, the next slot whose owner is. Slots are
  // spread pseudo-randomly, so a key's fallback is a stable, well-spread choice.
  std::optional<size_t> pick(const PickContext& ctx) const;
  size_t size() const { return size_; }
  size_t table_size() const { return table_->size(); }
  // Slots owned by endpoint i (for tests/admin).
  size_t slots(size_t i) const;

 private:
  size_t size_;
  std::shared_ptr<const std::vector<uint32_t>> table_;
};

bool is_prime(uint64_t n);
uint64_t next_prime(uint64_t n);  // smallest prime >= n

}  // namespace sy::lb
