#include "config/admission.h"

#include <gtest/gtest.h>

namespace sy::config {
namespace {

constexpr const char* kVs = R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: web
spec:
  hosts: [web.example.com]
  gateways: [gw]
  http:
  - route:
    - destination:
        host: web.example.com
      weight: WEIGHT
)";

constexpr const char* kSe = R"(apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: web
spec:
  hosts: [web.example.com]
  resolution: STATIC
  ports: [{number: 80, name: http, protocol: HTTP}]
  endpoints: [{address: 10.0.0.1}]
)";

std::string with_weight(const std::string& w) {
  std::string s = kVs;
  s.replace(s.find("WEIGHT"), 6, w);
  return s;
}

LoadResult load_two(const std::string& vs_file, const std::string& se_file) {
  LoadResult a = load_string(vs_file, "vs.yaml");
  LoadResult b = load_string(se_file, "se.yaml");
  for (auto& x : b.config.service_entries) a.config.service_entries.push_back(x);
  a.diagnostics.append(b.diagnostics);
  a.config.files = {"se.yaml", "vs.yaml"};
  return a;
}

// Scenario: a valid change applies; a later invalid version of the same object is rejected
// alone and its last good version stays in force.
TEST(Admission, InvalidObjectKeepsLastGoodVersion) {
  AdmissionState state;
  auto first = state.admit(load_two(with_weight("100"), kSe));
  ASSERT_EQ(first.config->virtual_services.size(), 1u);
  EXPECT_TRUE(first.rejected.empty());

  auto second = state.admit(load_two(with_weight("-5"), kSe));
  ASSERT_EQ(second.config->virtual_services.size(), 1u);
  EXPECT_EQ(second.config->virtual_services[0].http[0].route[0].weight, 100);
  ASSERT_EQ(second.rejected.size(), 1u);
  EXPECT_EQ(second.rejected[0].key, "VirtualService/default/web");
  EXPECT_TRUE(second.rejected[0].kept_previous);
  EXPECT_EQ(second.config->service_entries.size(), 1u);

  auto third = state.admit(load_two(with_weight("7"), kSe));  // the fix applies
  EXPECT_TRUE(third.rejected.empty());
  EXPECT_EQ(third.config->virtual_services[0].http[0].route[0].weight, 7);
}

// Scenario: a new object that is broken from the start is simply absent.
TEST(Admission, NewBrokenObjectIsAbsent) {
  AdmissionState state;
  auto r = state.admit(load_two(with_weight("-1"), kSe));
  EXPECT_TRUE(r.config->virtual_services.empty());
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_FALSE(r.rejected[0].kept_previous);
  EXPECT_EQ(r.config->service_entries.size(), 1u);
}

// Scenario: unparseable YAML rejects that file's new content; the objects it held stay in force.
TEST(Admission, UnparseableFileKeepsItsObjects) {
  AdmissionState state;
  state.admit(load_two(with_weight("100"), kSe));
  auto r = state.admit(load_two("spec: [unclosed\n", kSe));
  ASSERT_EQ(r.config->virtual_services.size(), 1u);
  ASSERT_FALSE(r.rejected.empty());
  EXPECT_EQ(r.rejected.back().key, "file:vs.yaml");
  EXPECT_TRUE(r.rejected.back().kept_previous);
  // Still kept on the next round if the file stays broken.
  auto again = state.admit(load_two("spec: [unclosed\n", kSe));
  EXPECT_EQ(again.config->virtual_services.size(), 1u);
}

// Scenario: a config directory that is gone (deleted to be written again) keeps the objects of
// every file under it; files elsewhere are unaffected.
TEST(Admission, MissingConfigDirectoryKeepsItsObjects) {
  AdmissionState state;
  LoadResult first = load_string(with_weight("100"), "conf/vs.yaml");
  first.config.files = {"conf/vs.yaml"};
  state.admit(std::move(first));
  LoadResult gone;
  gone.diagnostics.add(Diagnostic{Severity::kError, "conf", 0, "", "", "", "no such file or directory"});
  auto r = state.admit(std::move(gone));
  ASSERT_EQ(r.config->virtual_services.size(), 1u);
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].key, "file:conf");
  EXPECT_TRUE(r.rejected[0].kept_previous);
  // A sibling directory with a common prefix is not "under" it.
  AdmissionState other;
  LoadResult sibling = load_string(with_weight("100"), "conf2/vs.yaml");
  sibling.config.files = {"conf2/vs.yaml"};
  other.admit(std::move(sibling));
  LoadResult gone2;
  gone2.diagnostics.add(Diagnostic{Severity::kError, "conf", 0, "", "", "", "no such file or directory"});
  EXPECT_TRUE(other.admit(std::move(gone2)).config->virtual_services.empty());
}

// Scenario: an object with a parse-level error (unknown field) is rejected alone too.
TEST(Admission, ParseErrorKeepsLastGoodVersion) {
  AdmissionState state;
  state.admit(load_two(with_weight("100"), kSe));
  std::string typo = with_weight("100");
  typo.replace(typo.find("  - route:"), 10, "  - rout:");
  auto r = state.admit(load_two(typo, kSe));
  ASSERT_EQ(r.config->virtual_services.size(), 1u);
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_TRUE(r.rejected[0].kept_previous);
}

// Scenario: deleting an object from its file removes it.
TEST(Admission, RemovedObjectDisappears) {
  AdmissionState state;
  state.admit(load_two(with_weight("100"), kSe));
  auto r = state.admit(load_two("", kSe));
  EXPECT_TRUE(r.config->virtual_services.empty());
  EXPECT_TRUE(r.rejected.empty());
}

}  // namespace
}  // namespace sy::config
