#include "policy/destination_rules.h"

#include <gtest/gtest.h>

namespace sy::policy {
namespace {

config::DestinationRule dr(const char* ns, const char* name, const char* host, int index,
                           std::vector<const char*> subsets = {}) {
  config::DestinationRule d;
  d.meta.namespace_ = ns;
  d.meta.name = name;
  d.host = host;
  d.source.index = index;
  for (const char* s : subsets) d.subsets.push_back({s, {{"version", s}}, std::nullopt});
  return d;
}

// Scenario: several DRs for one host in one namespace merge: subsets unioned (first definition
// wins), first top-level trafficPolicy wins.
TEST(DestinationRuleIndex, MergesSameHost) {
  std::vector<config::DestinationRule> rules = {
      dr("default", "b", "reviews", 2, {"v2", "v1"}),
      dr("default", "a", "reviews.default.svc.cluster.local", 1, {"v1"}),
  };
  rules[0].traffic_policy.emplace();
  rules[0].subsets[1].labels = {{"version", "other"}};
  DestinationRuleIndex idx(rules, "default", {});
  const auto* m = idx.find("reviews.default.svc.cluster.local", "default");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->name, "default/a");                          // load order, not vector order
  EXPECT_EQ(m->traffic_policy, &*rules[0].traffic_policy);  // first one that set it
  ASSERT_EQ(m->subsets.size(), 2u);
  EXPECT_EQ(m->subset("v1")->labels.at("version"), "v1");  // from "a", loaded first
  EXPECT_NE(m->subset("v2"), nullptr);
}

// Scenario: lookup order proxy namespace, service namespace, root namespace; most specific host.
TEST(DestinationRuleIndex, NamespacePrecedenceAndWildcards) {
  std::vector<config::DestinationRule> rules = {
      dr("istio-system", "root", "*.svc.cluster.local", 1),     dr("svc-ns", "svc", "api.svc-ns.svc.cluster.local", 2),
      dr("proxy-ns", "local-wild", "*.example.com", 3),         dr("proxy-ns", "local-deeper", "*.b.example.com", 4),
      dr("other", "hidden", "api.svc-ns.svc.cluster.local", 5),
  };
  rules[1].export_to = {"."};  // not visible from proxy-ns
  DestinationRuleIndex idx(rules, "proxy-ns", {});
  auto name = [&](const char* host, const char* svc_ns) {
    const auto* m = idx.find(host, svc_ns);
    return m ? m->name : std::string("none");
  };
  EXPECT_EQ(name("api.svc-ns.svc.cluster.local", "svc-ns"), "istio-system/root");  // svc-ns DR not exported
  EXPECT_EQ(name("x.b.example.com", "x"), "proxy-ns/local-deeper");
  EXPECT_EQ(name("x.example.com", "x"), "proxy-ns/local-wild");
  EXPECT_EQ(name("nothing.io", "x"), "none");

  rules[1].export_to = {"*"};
  DestinationRuleIndex idx2(rules, "proxy-ns", {});
  EXPECT_EQ(idx2.find("api.svc-ns.svc.cluster.local", "svc-ns")->name, "svc-ns/svc");
}

// Scenario: a DR with a workloadSelector applies only to selected proxies in its namespace.
TEST(DestinationRuleIndex, WorkloadSelector) {
  std::vector<config::DestinationRule> rules = {dr("gw", "sel", "a.io", 1)};
  rules[0].workload_selector = config::Labels{{"app", "gw"}};
  EXPECT_NE(DestinationRuleIndex(rules, "gw", {{"app", "gw"}}).find("a.io", "x"), nullptr);
  EXPECT_EQ(DestinationRuleIndex(rules, "gw", {{"app", "other"}}).find("a.io", "x"), nullptr);
  EXPECT_EQ(DestinationRuleIndex(rules, "elsewhere", {{"app", "gw"}}).find("a.io", "x"), nullptr);
}

TEST(ExportTo, Rules) {
  EXPECT_TRUE(exported_to({}, "a", "b"));
  EXPECT_TRUE(exported_to({"*"}, "a", "b"));
  EXPECT_TRUE(exported_to({"."}, "a", "a"));
  EXPECT_FALSE(exported_to({"."}, "a", "b"));
  EXPECT_FALSE(exported_to({"~"}, "a", "b"));
  EXPECT_TRUE(exported_to({"b"}, "a", "b"));
}

}  // namespace
}  // namespace sy::policy
