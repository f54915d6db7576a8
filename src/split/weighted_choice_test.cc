#include "split/weighted_choice.h"

#include <gtest/gtest.h>

#include "split/fractional_percent.h"

namespace sy::split {
namespace {

// Scenario: weights are relative; one destination is 100 % whatever its weight; zero
// weights drop a destination when there are several.
TEST(WeightedChoice, EffectiveWeights) {
  struct Case {
    const char* what;
    std::vector<std::optional<int32_t>> weights;
    std::vector<double> want_percent;
  } cases[] = {
      {"single absent", {std::nullopt}, {100}},
      {"single zero", {0}, {100}},
      {"single 30", {30}, {100}},
      {"75/25", {75, 25}, {75, 25}},
      {"relative 1/3", {1, 3}, {25, 75}},
      {"zero dropped", {0, 50, 50}, {0, 50, 50}},
      {"absent dropped", {std::nullopt, 10}, {0, 100}},
  };
  for (const auto& c : cases) {
    WeightedChoice w = WeightedChoice::build(c.weights);
    for (uint32_t i = 0; i < c.want_percent.size(); ++i) EXPECT_DOUBLE_EQ(w.percent(i), c.want_percent[i]) << c.what;
  }
}

// Scenario: the injected random value decides deterministically, in proportion to weights.
TEST(WeightedChoice, PickIsDeterministicAndProportional) {
  WeightedChoice w = WeightedChoice::build({75, 25});
  EXPECT_EQ(w.pick(0), 0u);
  EXPECT_EQ(w.pick(74), 0u);
  EXPECT_EQ(w.pick(75), 1u);
  EXPECT_EQ(w.pick(99), 1u);
  EXPECT_EQ(w.pick(100), 0u);  // wraps modulo the total
  uint32_t counts[2] = {0, 0};
  for (uint64_t r = 0; r < 1000; ++r) ++counts[*w.pick(r * 7919)];
  EXPECT_EQ(counts[0], 750u);
  EXPECT_EQ(counts[1], 250u);

  WeightedChoice zeros = WeightedChoice::build({0, 50});
  for (uint64_t r = 0; r < 100; ++r) EXPECT_EQ(zeros.pick(r), 1u);
  EXPECT_FALSE(WeightedChoice::build({0, 0}).pick(1));
  EXPECT_FALSE(WeightedChoice::build({}).pick(1));
}

TEST(FractionalPercent, Sampling) {
  EXPECT_FALSE(FractionalPercent{}.sample(0));
  FractionalPercent half = FractionalPercent::from_percent(50);
  EXPECT_TRUE(half.sample(499'999));
  EXPECT_FALSE(half.sample(500'000));
  EXPECT_EQ(FractionalPercent::from_percent(0.0001).per_million(), 1u);
  EXPECT_TRUE(FractionalPercent::from_percent(100).sample(999'999));
  EXPECT_EQ(FractionalPercent::from_percent(150).per_million(), 1'000'000u);
}

}  // namespace
}  // namespace sy::split
