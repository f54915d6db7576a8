#include "policy/retry_budget.h"

#include <gtest/gtest.h>

#include <vector>

namespace sy::policy {
namespace {

// Scenario: retries may reach max(min concurrency, percent of active requests), never more, and
// every refusal is counted.
TEST(RetryBudget, LimitFollowsLoad) {
  struct Case {
    RetryBudgetConfig config;
    uint64_t active;
    uint64_t allowed;
  };
  const Case cases[] = {
      {{}, 0, 3},     // default floor
      {{}, 10, 3},    // 20 % of 10 = 2 < 3
      {{}, 100, 20},  // 20 % of 100
      {{}, 104, 20},  // rounds down
      {{50, 1, true}, 7, 3},
      {{25.5, 4, true}, 100, 25},
      {{0, 2, true}, 1000, 2},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(testing::Message() << c.config.percent << "% min " << c.config.min_concurrency << " active "
                                    << c.active);
    RetryBudget budget(c.config);
    EXPECT_EQ(budget.limit_for(c.active), c.allowed);
    std::vector<ResourceToken> held;
    for (uint64_t i = 0; i < c.allowed; ++i) {
      held.push_back(budget.try_acquire(c.active));
      EXPECT_TRUE(held.back());
    }
    EXPECT_FALSE(budget.try_acquire(c.active));
    EXPECT_EQ(budget.refused(), 1u);
    held.pop_back();
    EXPECT_TRUE(budget.try_acquire(c.active));
  }
}

// Scenario: without a DR retryBudget switchyard's default (20 %, 3) applies on top of maxRetries;
// a DR retryBudget replaces maxRetries as in Envoy.
TEST(RetryBudget, ConfigFromClusterPolicy) {
  ClusterPolicy p;
  RetryBudgetConfig d = RetryBudgetConfig::from(p);
  EXPECT_DOUBLE_EQ(d.percent, 20);
  EXPECT_EQ(d.min_concurrency, 3u);
  EXPECT_FALSE(d.from_destination_rule);
  p.retry_budget_percent = 20;
  p.retry_budget_min_concurrency = 3;
  EXPECT_TRUE(RetryBudgetConfig::from(p).from_destination_rule);
  RetryBudget b(RetryBudgetConfig::from(p));
  EXPECT_TRUE(b.replaces_max_retries());
  b.set_config({});
  EXPECT_FALSE(b.replaces_max_retries());
}

}  // namespace
}  // namespace sy::policy
