// A percentage (fault delay/abort, mirror) compiled to parts per million, Envoy's granularity
// (Istio Percent.value × 10000). Sampled with a caller-supplied random value; immutable.
#pragma once

#include <cmath>
#include <cstdint>

namespace sy::split {

class FractionalPercent {
 public:
  static constexpr uint32_t kMillion = 1'000'000;
  FractionalPercent() = default;
  static FractionalPercent from_percent(double percent) {
    FractionalPercent p;
    double clamped = percent < 0 ? 0 : (percent > 100 ? 100 : percent);
    p.per_million_ = static_cast<uint32_t>(std::llround(clamped * 10'000.0));
    return p;
  }
  // True for `per_million` out of every million random values.
  bool sample(uint64_t random) const { return random % kMillion < per_million_; }
  uint32_t per_million() const { return per_million_; }
  double percent() const { return per_million_ / 10'000.0; }

 private:
  uint32_t per_million_ = 0;
};

}  // namespace sy::split
