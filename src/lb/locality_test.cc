#include "lb/locality.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sy::lb {
namespace {

TEST(LocalityTest, MatchAndPriority) {
  struct Case {
    std::string locality, rule;
    bool match;
  };
  const std::vector<Case> cases = {
      {"us-east/zone1/a", "us-east/zone1/a", true}, {"us-east/zone1/a", "us-east/*", true},
      {"us-east/zone1/a", "us-east", true},         {"us-east/zone1/a", "*", true},
      {"us-east/zone1/a", "us-east/zone2", false},  {"us-east/zone1/a", "us-west/*", false},
      {"", "us-east", false},                       {"us-east/zone1", "us-east/zone1/*", true},
  };
  for (const Case& c : cases)
    EXPECT_EQ(locality_match(Locality::parse(c.locality), c.rule), c.match) << c.locality << " ~ " << c.rule;

  const Locality proxy = Locality::parse("us-east/zone1/a");
  EXPECT_EQ(locality_priority(proxy, Locality::parse("us-east/zone1/a")), 0u);
  EXPECT_EQ(locality_priority(proxy, Locality::parse("us-east/zone1/b")), 1u);
  EXPECT_EQ(locality_priority(proxy, Locality::parse("us-east/zone2/a")), 2u);
  EXPECT_EQ(locality_priority(proxy, Locality::parse("eu-west/zone1/a")), 3u);
}

LocalitySetting failover_to(std::string from, std::string to) {
  LocalitySetting s;
  s.failover.push_back({std::move(from), std::move(to)});
  return s;
}

TEST(LocalityTest, FailoverPriorities) {
  const std::vector<LocalityEndpoint> eps = {
      {"us-east/zone1", 1}, {"us-east/zone2", 1}, {"us-west/zone1", 1}, {"eu-west/zone1", 1}, {"us-east/zone1", 1}};
  const LocalitySetting to_eu = failover_to("us-east", "eu-west");
  LocalitySetting disabled;
  disabled.enabled = false;
  struct Case {
    std::string name, proxy;
    const LocalitySetting* setting;
    bool outlier;
    std::vector<uint32_t> want;
  };
  const std::vector<Case> cases = {
      {"default ranking, compacted (no subzone level used)", "us-east/zone1", nullptr, true, {0, 1, 2, 2, 0}},
      {"failover rule puts its region before the others", "us-east/zone1", &to_eu, true, {0, 1, 3, 2, 0}},
      {"failover rule for another region does nothing", "us-west/zone1", &to_eu, true, {1, 1, 0, 1, 1}},
      {"no outlier detection: no priorities", "us-east/zone1", nullptr, false, {0, 0, 0, 0, 0}},
      {"no proxy locality: no priorities", "", nullptr, true, {0, 0, 0, 0, 0}},
      {"enabled false: no priorities", "us-east/zone1", &disabled, true, {0, 0, 0, 0, 0}},
  };
  for (const Case& c : cases) {
    const LocalityPlan plan = plan_locality(c.proxy, c.setting, c.outlier, eps);
    EXPECT_EQ(plan.priority, c.want) << c.name;
    EXPECT_EQ(plan.weight, (std::vector<uint32_t>(eps.size(), 1))) << c.name;
  }
}

// Scenario: failoverPriority ranks by how early an endpoint's labels (with the topology labels
// from its locality and network) stop agreeing with the proxy's; `key=value` compares with value.
TEST(LocalityTest, FailoverPriorityByLabels) {
  const config::Labels gold{{"tier", "gold"}}, bronze{{"tier", "bronze"}};
  const std::vector<LocalityEndpoint> eps = {
      {"us-east/zone1", 1, &gold, "net1"},    // both agree
      {"us-east/zone1", 1, &gold, "net2"},    // network differs
      {"us-west/zone1", 1, &bronze, "net1"},  // network agrees, tier differs
      {"us-west/zone1", 1, &bronze, "net2"},  // both differ
  };
  const config::Labels proxy{{"topology.istio.io/network", "net1"}, {"tier", "gold"}};
  const config::Labels none;
  LocalitySetting by_labels;
  by_labels.failover_priority = {"topology.istio.io/network", "tier"};
  LocalitySetting by_value;
  by_value.failover_priority = {"tier=bronze"};
  LocalitySetting by_region;
  by_region.failover_priority = {"topology.kubernetes.io/region"};
  struct Case {
    std::string name, proxy_locality;
    const LocalitySetting* setting;
    const config::Labels* labels;
    bool outlier;
    std::vector<uint32_t> want;
  };
  const std::vector<Case> cases = {
      {"network, then tier", "", &by_labels, &proxy, true, {0, 2, 1, 2}},
      {"compacted: no gaps", "", &by_value, &proxy, true, {1, 1, 0, 0}},
      {"region from --locality", "us-west/zone9", &by_region, &none, true, {1, 1, 0, 0}},
      {"no outlier detection: none", "", &by_labels, &proxy, false, {0, 0, 0, 0}},
      {"proxy without labels: none", "", &by_labels, &none, true, {0, 0, 0, 0}},
  };
  for (const Case& c : cases) {
    const LocalityPlan plan = plan_locality(c.proxy_locality, c.setting, c.outlier, eps, c.labels);
    EXPECT_EQ(plan.priority, c.want) << c.name;
  }
}

TEST(LocalityTest, DistributeWeights) {
  // Two endpoints in zone1 (weights 1 and 3), one in zone2, one in us-west.
  const std::vector<LocalityEndpoint> eps = {
      {"us-east/zone1", 1}, {"us-east/zone1", 3}, {"us-east/zone2", 1}, {"us-west/zone1", 1}};
  LocalitySetting s;
  s.distribute.push_back({"eu-west/*", {{"us-east/*", 100}}});  // does not match the proxy
  s.distribute.push_back({"us-east/zone1/*", {{"us-east/zone1", 80}, {"us-east/zone2", 20}}});
  const uint64_t k = kDistributeScale;
  struct Case {
    std::string name, proxy;
    bool outlier;
    LocalityPlan::Mode mode;
    std::vector<uint32_t> want;
  };
  const std::vector<Case> cases = {
      // 80 split 1:3, 20 to zone2, nothing to us-west (not a `to`); no priorities even with outlier.
      {"first matching from", "us-east/zone1/a", true, LocalityPlan::Mode::kDistribute,
       {uint32_t(20 * k), uint32_t(60 * k), uint32_t(20 * k), 0}},
      {"no matching from: plain weights", "us-west/zone1", false, LocalityPlan::Mode::kNone, {1, 3, 1, 1}},
  };
  for (const Case& c : cases) {
    const LocalityPlan plan = plan_locality(c.proxy, &s, c.outlier, eps);
    EXPECT_EQ(plan.mode, c.mode) << c.name;
    EXPECT_EQ(plan.weight, c.want) << c.name;
    EXPECT_EQ(plan.priority, (std::vector<uint32_t>(eps.size(), 0))) << c.name;
  }
}

}  // namespace
}  // namespace sy::lb
