#include "lb/maglev.h"

#include <algorithm>
#include <limits>

#include "lb/candidates.h"
#include "lb/hash.h"
#include "lb/random_stream.h"

namespace sy::lb {

bool is_prime(uint64_t n) {
  if (n < 2) return false;
  if (n % 2 == 0) return n == 2;
  for (uint64_t d = 3; d * d <= n; d += 2) {
    if (n % d == 0) return false;
  }
  return true;
}

uint64_t next_prime(uint64_t n) {
  while (!is_prime(n)) ++n;
  return n;
}

Maglev::Maglev(std::span<const Endpoint> endpoints, uint64_t table_size) : size_(endpoints.size()) {
  auto table = std::make_shared<std::vector<uint32_t>>();
  const size_t n = endpoints.size();
  if (n > 0) {
    const uint64_t m = next_prime(std::max<uint64_t>({table_size, n, 2}));
    constexpr uint32_t kEmpty = std::numeric_limits<uint32_t>::max();
    table->assign(m, kEmpty);
    // Each endpoint's permutation: start at offset, step by skip (1..m-1, coprime with prime m,
    // so the walk visits every slot). Both derive from the identity, not the index, so an
    // endpoint keeps its preferences when others come and go.
    std::vector<uint64_t> next_slot(n);
    std::vector<uint64_t> skip(n);
    std::vector<uint64_t> claimed(n, 0);
    uint32_t max_weight = 0;
    for (size_t i = 0; i < n; ++i) {
      next_slot[i] = mix64(endpoints[i].identity ^ 0x5bd1e9955bd1e995ULL) % m;
      skip[i] = mix64(endpoints[i].identity ^ 0x2545f4914f6cdd1dULL) % (m - 1) + 1;
      max_weight = std::max(max_weight, effective_weight(endpoints[i]));
    }
    // Turns: in round r an endpoint of weight w may own up to max(1, floor(r * w / max_weight))
    // slots, so the heaviest claims one slot per round and the others proportionally fewer. The
    // floor of one slot (claimed in round 1) keeps a very light endpoint reachable when it is the
    // only candidate left, at a cost of at most one slot of extra share.
    uint64_t filled = 0;
    for (uint64_t round = 1; filled < m; ++round) {
      for (size_t i = 0; i < n && filled < m; ++i) {
        if (claimed[i] > 0 && claimed[i] * max_weight >= round * effective_weight(endpoints[i])) continue;
        while ((*table)[next_slot[i]] != kEmpty) {
          next_slot[i] += skip[i];
          if (next_slot[i] >= m) next_slot[i] -= m;
        }
        (*table)[next_slot[i]] = static_cast<uint32_t>(i);
        ++claimed[i];
        ++filled;
      }
    }
  }
  table_ = std::move(table);
}

std::optional<size_t> Maglev::pick(const PickContext& ctx) const {
  const Candidates candidates(size_, ctx.eligible, ctx.tried);
  if (candidates.empty()) return std::nullopt;
  const uint64_t h = ctx.hash ? *ctx.hash : RandomStream(ctx.random).next();
  const std::vector<uint32_t>& table = *table_;
  size_t slot = static_cast<size_t>(h % table.size());
  // Every endpoint owns at least one slot (all claim in round 1 and the table is at least as large
  // as the endpoint count), so this ends within one lap.
  while (!candidates.contains(table[slot])) slot = slot + 1 == table.size() ? 0 : slot + 1;
  return table[slot];
}

size_t Maglev::slots(size_t i) const {
  return static_cast<size_t>(std::count(table_->begin(), table_->end(), static_cast<uint32_t>(i)));
}

}  // namespace sy::lb
