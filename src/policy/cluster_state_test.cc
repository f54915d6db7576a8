#include "policy/cluster_state.h"

#include <gtest/gtest.h>

#include "snapshot/snapshot.h"

namespace sy::policy {
namespace {

using namespace std::chrono_literals;

const MonoTime t0 = MonoTime(std::chrono::hours(1));

snapshot::Cluster cluster(std::string name, std::vector<std::string> addresses, uint32_t max_requests = kUnlimited) {
  snapshot::Cluster c;
  c.name = std::move(name);
  for (auto& a : addresses) {
    snapshot::Endpoint e;
    e.address = a;
    e.port = 80;
    c.endpoints.push_back(std::move(e));
  }
  c.policy.connection_pool.http2_max_requests = max_requests;
  c.policy.outlier.enabled = true;
  c.policy.outlier.consecutive_5xx = 1;
  c.policy.outlier.max_ejection_percent = 100;
  return c;
}

snapshot::Snapshot snap(uint64_t version, std::vector<snapshot::Cluster> clusters) {
  snapshot::Snapshot s;
  s.version = version;
  for (uint32_t i = 0; i < clusters.size(); ++i) clusters[i].id = i;
  s.clusters = std::move(clusters);
  return s;
}

// Scenario: all workers binding one snapshot share the same per-cluster objects, indexed by id.
TEST(ClusterStateRegistry, WorkersShareOneBinding) {
  ClusterStateRegistry reg;
  auto s1 = snap(1, {cluster("outbound|80||a", {"10.0.0.1"}), cluster("outbound|80||b", {"10.0.0.2"})});
  auto w1 = reg.bind(s1, t0);
  auto w2 = reg.bind(s1, t0);
  ASSERT_EQ(w1.size(), 2u);
  EXPECT_EQ(w1[0], w2[0]);
  EXPECT_EQ(w1[1]->name(), "outbound|80||b");
  EXPECT_EQ(reg.size(), 2u);
}

// Scenario: a reload keeps a surviving cluster's breaker, counters and outlier state (even when
// its id moves), applies new limits in place, migrates endpoint state by address and forgets
// clusters that are gone.
TEST(ClusterStateRegistry, ReloadKeepsStateByName) {
  ClusterStateRegistry reg;
  auto s1 = snap(1, {cluster("a", {"10.0.0.1", "10.0.0.2"}, 1), cluster("gone", {"10.0.0.9"})});
  auto b1 = reg.bind(s1, t0);
  ResourceToken held = b1[0]->breaker().try_start_request();
  ClusterCounters::bump(b1[0]->counters().rq_total);
  b1[0]->outlier().report(1, EndpointResult::response(500), t0);  // 10.0.0.2 ejected

  // Same endpoints, new limit, new id.
  auto s2 = snap(2, {cluster("new", {"10.0.1.1"}), cluster("a", {"10.0.0.1", "10.0.0.2"}, 5)});
  auto b2 = reg.bind(s2, t0 + 1s);
  EXPECT_EQ(b2[1], b1[0]);  // unchanged endpoint set and outlier policy: same object
  EXPECT_EQ(b2[1]->breaker().limits().max_requests, 5u);
  EXPECT_EQ(b2[1]->breaker().active_requests(), 1u);
  EXPECT_EQ(b2[1]->stats().rq_total, 1u);
  EXPECT_EQ(reg.size(), 2u);  // "gone" forgotten

  // Endpoint set changes: new detector, same breaker; 10.0.0.2 stays ejected.
  auto s3 = snap(3, {cluster("a", {"10.0.0.3", "10.0.0.2"}, 7)});
  auto b3 = reg.bind(s3, t0 + 2s);
  EXPECT_NE(b3[0], b1[0]);
  EXPECT_EQ(b3[0]->shared(), b1[0]->shared());
  EXPECT_FALSE(b3[0]->outlier().is_ejected(0));
  EXPECT_TRUE(b3[0]->outlier().is_ejected(1));
  held.reset();
  EXPECT_EQ(b3[0]->breaker().active_requests(), 0u);

  // A worker that adopts snapshot 2 late gets working state but does not roll limits back.
  auto late = reg.bind(s2, t0 + 3s);
  EXPECT_EQ(late[1]->breaker().limits().max_requests, 7u);
  EXPECT_EQ(late[1]->shared(), b1[0]->shared());
  EXPECT_TRUE(late[1]->outlier().is_ejected(1));        // 10.0.0.2, migrated from the current state
  EXPECT_EQ(late[0]->breaker().active_requests(), 0u);  // "new": working, unregistered
  auto v = reg.view();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].stats.name, "a");
  ASSERT_EQ(v[0].endpoints.size(), 2u);
  EXPECT_EQ(v[0].endpoints[0].key, "10.0.0.3:80");
}

// Scenario: sweep_all returns ejected endpoints once their time is up and the interval passed.
TEST(ClusterStateRegistry, SweepAll) {
  ClusterStateRegistry reg;
  auto s = snap(1, {cluster("a", {"10.0.0.1", "10.0.0.2"})});
  auto b = reg.bind(s, t0);
  b[0]->outlier().report(0, EndpointResult::response(503), t0);
  reg.sweep_all(t0 + 10s);
  EXPECT_TRUE(b[0]->outlier().is_ejected(0));
  reg.sweep_all(t0 + 30s);
  EXPECT_FALSE(b[0]->outlier().is_ejected(0));
}

// Scenario: "may I retry?" — the default budget (floor 3) and maxRetries both apply; a DR
// retryBudget replaces maxRetries; each refusal is counted where it happened.
TEST(ClusterState, TryRetry) {
  struct Case {
    const char* name;
    uint32_t max_retries;
    double budget_percent;
    uint32_t budget_min;
    int admitted;
    RetryAdmission::Refusal refusal;
  };
  const Case cases[] = {
      {"default budget floor 3", kUnlimited, 0, 0, 3, RetryAdmission::Refusal::kBudget},
      {"maxRetries 1 under the default budget", 1, 0, 0, 1, RetryAdmission::Refusal::kMaxRetries},
      {"DR budget replaces maxRetries", 1, 20, 5, 5, RetryAdmission::Refusal::kBudget},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ClusterStateRegistry reg;
    auto cl = cluster("a", {"10.0.0.1"});
    cl.policy.connection_pool.max_retries = c.max_retries;
    cl.policy.retry_budget_percent = c.budget_percent;
    cl.policy.retry_budget_min_concurrency = c.budget_min;
    auto s = snap(1, {cl});
    auto b = reg.bind(s, t0);
    std::vector<RetryAdmission> held;
    for (int i = 0; i < c.admitted; ++i) {
      held.push_back(b[0]->try_retry());
      ASSERT_TRUE(held.back());
    }
    RetryAdmission refused = b[0]->try_retry();
    EXPECT_FALSE(refused);
    EXPECT_EQ(refused.refusal, c.refusal);
    const ClusterStats st = b[0]->stats();
    EXPECT_EQ(st.rq_retry, static_cast<uint64_t>(c.admitted));
    EXPECT_EQ(st.retry_budget_refused, c.refusal == RetryAdmission::Refusal::kBudget ? 1u : 0u);
    EXPECT_EQ(st.breaker.rq_retry_overflow, c.refusal == RetryAdmission::Refusal::kMaxRetries ? 1u : 0u);
    EXPECT_EQ(st.retry_budget_active, static_cast<uint64_t>(c.admitted));
    held.clear();
    EXPECT_EQ(b[0]->stats().retry_budget_active, 0u);
    EXPECT_EQ(b[0]->stats().breaker.rq_retry_active, 0u);
  }
}

// Scenario: the budget grows with load: 20 % of 50 active requests allows 10 retries.
TEST(ClusterState, BudgetScalesWithActiveRequests) {
  ClusterStateRegistry reg;
  auto s = snap(1, {cluster("a", {"10.0.0.1"})});
  auto b = reg.bind(s, t0);
  std::vector<ResourceToken> active;
  for (int i = 0; i < 40; ++i) active.push_back(b[0]->breaker().try_start_request());
  for (int i = 0; i < 10; ++i) active.push_back(b[0]->breaker().try_queue_pending());
  std::vector<RetryAdmission> retries;
  while (true) {
    RetryAdmission a = b[0]->try_retry();
    if (!a) break;
    retries.push_back(std::move(a));
  }
  EXPECT_EQ(retries.size(), 10u);
}

TEST(ClusterState, EndpointKey) {
  EXPECT_EQ(endpoint_key("10.0.0.1", 80), "10.0.0.1:80");
  EXPECT_EQ(endpoint_key("::1", 8080), "[::1]:8080");
  EXPECT_EQ(endpoint_key("reviews.default", 9080), "reviews.default:9080");
}

}  // namespace
}  // namespace sy::policy
