#include <gtest/gtest.h>

#include "config/loader.h"

namespace sy::config {
namespace {

LoadResult load_fixture(const std::string& name) { return load_paths({std::string(SY_TESTDATA) + "/" + name}); }

std::string report(const LoadResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics.items()) out += d.to_string() + "\n";
  return out;
}

// Scenario: every ServiceEntry field, inline endpoints, a workloadSelector entry and a standalone WorkloadEntry.
TEST(ParseServiceEntry, AllFields) {
  using SE = ServiceEntry;
  auto r = load_fixture("loader/service-entry-all-fields.yaml");
  ASSERT_TRUE(r.diagnostics.items().empty()) << report(r);
  ASSERT_EQ(r.config.service_entries.size(), 2u);
  const SE& se = r.config.service_entries[0];
  EXPECT_EQ(se.hosts, std::vector<std::string>{"legacy.internal"});
  EXPECT_EQ(se.addresses, std::vector<std::string>{"10.10.0.0/24"});
  ASSERT_EQ(se.ports.size(), 2u);
  EXPECT_EQ(se.ports[0].number, 8080u);
  EXPECT_EQ(se.ports[0].protocol, "HTTP");
  EXPECT_EQ(se.ports[0].name, "http");
  EXPECT_EQ(se.ports[0].target_port, 9080u);
  EXPECT_FALSE(se.ports[1].target_port);
  EXPECT_EQ(se.location, SE::Location::kMeshInternal);
  EXPECT_EQ(se.resolution, SE::Resolution::kStatic);
  ASSERT_EQ(se.endpoints.size(), 2u);
  const WorkloadEntrySpec& ep = se.endpoints[0];
  EXPECT_EQ(ep.address, "10.10.0.5");
  EXPECT_EQ(ep.ports.at("http"), 19080u);
  EXPECT_EQ(ep.labels.at("version"), "v1");
  EXPECT_EQ(ep.network, "net-1");
  EXPECT_EQ(ep.locality, "us-west/zone1/a");
  EXPECT_EQ(ep.weight, 3u);
  EXPECT_EQ(ep.service_account, "legacy-sa");
  EXPECT_FALSE(se.endpoints[1].weight);
  EXPECT_FALSE(se.workload_selector);
  EXPECT_EQ(se.export_to, std::vector<std::string>{"."});
  EXPECT_EQ(se.subject_alt_names, std::vector<std::string>{"spiffe://legacy"});

  const SE& vms = r.config.service_entries[1];
  EXPECT_EQ(vms.resolution, SE::Resolution::kDnsRoundRobin);
  EXPECT_EQ(vms.location, SE::Location::kMeshExternal);
  EXPECT_EQ(vms.workload_selector, (Labels{{"app", "vm"}}));

  ASSERT_EQ(r.config.workload_entries.size(), 1u);
  const WorkloadEntry& we = r.config.workload_entries[0];
  EXPECT_EQ(we.meta.name, "vm-1");
  EXPECT_EQ(we.meta.namespace_, "shop");
  EXPECT_EQ(we.spec.address, "vm-1.example.com");
  EXPECT_EQ(we.spec.ports.at("http"), 8080u);
  EXPECT_EQ(we.spec.labels, (Labels{{"app", "vm"}, {"version", "v1"}}));
  EXPECT_EQ(we.spec.network, "vm-net");
  EXPECT_EQ(we.spec.locality, "eu-west/zone2");
  EXPECT_EQ(we.spec.weight, 5u);
  EXPECT_EQ(we.spec.service_account, "vm-sa");
  EXPECT_EQ(we.source.index, 2);
  EXPECT_EQ(we.source.path_lines.at("spec.ports.http"), 46);
}

// Scenario: the egress sample — DNS ServiceEntry and the k8s Service load, the Deployment beside them is skipped.
TEST(ParseServiceEntry, HttpbinEgressSample) {
  auto r = load_fixture("httpbin/httpbin-egress-se.yaml");
  EXPECT_EQ(r.diagnostics.error_count(), 0u) << report(r);
  EXPECT_EQ(r.diagnostics.warning_count(), 1u) << report(r);
  ASSERT_EQ(r.config.services.size(), 1u);
  EXPECT_EQ(r.config.services[0].ports[0].name, "http");
  ASSERT_EQ(r.config.service_entries.size(), 1u);
  EXPECT_EQ(r.config.service_entries[0].resolution, ServiceEntry::Resolution::kDns);
  EXPECT_EQ(r.config.service_entries[0].ports[1].protocol, "HTTPS");
}

// Scenario: enum and integer mistakes in a ServiceEntry point at the field.
TEST(ParseServiceEntry, RejectsBadValues) {
  struct Case {
    const char* spec;
    const char* path;
    const char* message;
  } cases[] = {
      {"{hosts: [a], resolution: dns}", "spec.resolution",
       "unknown value \"dns\", allowed: NONE, STATIC, DNS, DNS_ROUND_ROBIN, DYNAMIC_DNS"},
      {"{hosts: [a], location: EXTERNAL}", "spec.location", "allowed: MESH_EXTERNAL, MESH_INTERNAL"},
      {"{hosts: [a], ports: [{number: 99999999999, name: p}]}", "spec.ports[0].number", "out of range"},
      {"{hosts: [a], endpoints: [{address: 1.2.3.4, weight: -1}]}", "spec.endpoints[0].weight",
       "expected a non-negative integer"},
      {"{hosts: [a], endpoints: [{address: 1.2.3.4, ports: {http: \"80\"}}]}", "spec.endpoints[0].ports.http",
       "expected an integer"},
      {"{hosts: [a], workloadSelector: {matchLabels: {a: b}}}", "spec.workloadSelector.matchLabels",
       "unknown field \"matchLabels\""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.spec);
    auto r = load_string(std::string("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: s}\n"
                                     "spec: ") +
                             c.spec + "\n",
                         "s.yaml");
    EXPECT_TRUE(r.config.service_entries.empty());
    ASSERT_EQ(r.diagnostics.error_count(), 1u) << report(r);
    EXPECT_EQ(r.diagnostics.items()[0].path, c.path);
    EXPECT_EQ(r.diagnostics.items()[0].line, 4);
    EXPECT_NE(r.diagnostics.items()[0].message.find(c.message), std::string::npos) << report(r);
  }
}

// Scenario: an IPv6 address ending in "::" inside a flow list is one string, as Kubernetes' YAML
// decoder reads it; yaml-cpp alone makes `001:db8:` the key of a one-pair map (such a list of
// addresses used to fail to parse).
TEST(ParseServiceEntry, FlowListScalarsWithColons) {
  struct Case {
    const char* addresses;
    std::vector<std::string> want;  // empty: an error is expected
  } cases[] = {
      {"[1.2.3.4, 001:db8::]", {"1.2.3.4", "001:db8::"}},
      {"[2001:db8::, ::1]", {"2001:db8::", "::1"}},
      {"[fe80::]", {"fe80::"}},
      {"[\"001:db8::\", 10.0.0.0/8]", {"001:db8::", "10.0.0.0/8"}},
      {"[2001:db8::/32]", {"2001:db8::/32"}},
      // A space after the colon makes a real key/value pair, in Kubernetes too.
      {"[001:db8: x]", {}},
      // Block style: the trailing ':' ends the key in every YAML reader.
      {"\n  - 001:db8::", {}},
      // An explicit flow map stays a map.
      {"[{001:db8::}]", {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.addresses);
    auto r = load_string(std::string("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: s}\n"
                                     "spec:\n  hosts: [a.example.com]\n  addresses: ") +
                             c.addresses + "\n",
                         "s.yaml");
    if (!c.want.empty()) {
      ASSERT_TRUE(r.diagnostics.items().empty()) << report(r);
      EXPECT_EQ(r.config.service_entries.at(0).addresses, c.want);
    } else {
      EXPECT_EQ(r.diagnostics.error_count(), 1u) << report(r);
      EXPECT_NE(report(r).find("expected a string, got a map"), std::string::npos) << report(r);
    }
  }
}

}  // namespace
}  // namespace sy::config
