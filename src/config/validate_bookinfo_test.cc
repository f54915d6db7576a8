// End-to-end: the Bookinfo sample set loads, validates and analyzes without errors.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "config/validate.h"
#include "config/validate_test_support.h"

namespace sy::config::testing {
namespace {

// Scenario: bookinfo-gateway + destination-rule-all + virtual-service-all-v1 over ServiceEntries for
// productpage/reviews/ratings/details produce no error and no warning beyond "mesh only" notes
// for the four sidecar VirtualServices.
TEST(ValidateBookinfo, CleanExceptMeshOnlyNotes) {
  LoadResult loaded =
      load_paths({SY_TESTDATA "/bookinfo/bookinfo-gateway.yaml", SY_TESTDATA "/bookinfo/destination-rule-all.yaml",
                  SY_TESTDATA "/validate/bookinfo-services.yaml", SY_TESTDATA "/validate/virtual-service-all-v1.yaml"});
  ASSERT_TRUE(loaded.diagnostics.items().empty()) << dump(loaded.diagnostics);
  ASSERT_EQ(loaded.config.virtual_services.size(), 5u);
  ASSERT_EQ(loaded.config.service_entries.size(), 4u);

  Diagnostics got;
  validate(loaded.config, got);
  EXPECT_EQ(got.error_count(), 0u) << dump(got);
  for (const auto& d : got.items()) {
    EXPECT_EQ(d.severity, Severity::kWarning) << d.to_string();
    EXPECT_NE(d.message.find("bound to no gateway (mesh only)"), std::string::npos) << d.to_string();
  }
  EXPECT_EQ(got.warning_count(), 4u) << dump(got);
}

// Scenario: routing reviews to a subset the DestinationRules never define is caught (IST0101).
TEST(ValidateBookinfo, UndefinedSubsetIsReported) {
  LoadResult loaded =
      load_paths({SY_TESTDATA "/bookinfo/destination-rule-all.yaml", SY_TESTDATA "/validate/bookinfo-services.yaml"});
  ASSERT_TRUE(loaded.diagnostics.items().empty()) << dump(loaded.diagnostics);
  LoadResult extra =
      load_string(vs("hosts: [reviews]\nhttp:\n- route:\n  - destination: {host: reviews, subset: v4}\n", "reviews"),
                  "reviews-v4.yaml");
  ASSERT_TRUE(extra.diagnostics.items().empty()) << dump(extra.diagnostics);
  loaded.config.virtual_services = extra.config.virtual_services;

  Diagnostics got;
  validate(loaded.config, got);
  ASSERT_EQ(got.error_count(), 1u) << dump(got);
  for (const auto& d : got.items()) {
    if (d.severity != Severity::kError) continue;
    EXPECT_EQ(d.file, "reviews-v4.yaml");
    EXPECT_EQ(d.path, "spec.http[0].route[0].destination.subset");
    EXPECT_NE(d.message.find("IST0101 Referenced host+subset in destinationrule not found: \"reviews+v4\""),
              std::string::npos)
        << d.to_string();
  }
}

// Scenario: Bookinfo as users apply it — the platform manifest (v1 Services with `name: http` ports,
// ServiceAccounts, Deployments) next to bookinfo-gateway, destination-rule-all and
// virtual-service-all-v1 — validates with no error: every destination finds its Service (no
// IST0101, no IST0174); the foreign kinds are skipped with a warning each; each labelled subset
// says it cannot be resolved on a Service (no pod labels), and the mesh-only notes stay.
TEST(ValidateBookinfo, PlatformManifestWithNetworkingFiles) {
  LoadResult loaded = load_paths(
      {SY_TESTDATA "/kube/bookinfo-platform.yaml", SY_TESTDATA "/bookinfo/bookinfo-gateway.yaml",
       SY_TESTDATA "/bookinfo/destination-rule-all.yaml", SY_TESTDATA "/validate/virtual-service-all-v1.yaml"});
  EXPECT_EQ(loaded.diagnostics.error_count(), 0u) << dump(loaded.diagnostics);
  EXPECT_EQ(loaded.diagnostics.warning_count(), 10u) << dump(loaded.diagnostics);  // 4 ServiceAccounts, 6 Deployments
  for (const auto& d : loaded.diagnostics.items())
    EXPECT_TRUE(d.kind == "ServiceAccount" || d.kind == "Deployment") << d.to_string();
  ASSERT_EQ(loaded.config.services.size(), 4u);
  ASSERT_TRUE(loaded.config.service_entries.empty());

  Diagnostics got;
  validate(loaded.config, got);
  EXPECT_EQ(got.error_count(), 0u) << dump(got);
  size_t mesh_only = 0, subsets = 0;
  for (const auto& d : got.items()) {
    EXPECT_EQ(d.severity, Severity::kWarning) << d.to_string();
    EXPECT_GT(d.line, 0) << d.to_string();
    EXPECT_EQ(d.message.find("IST0101"), std::string::npos) << d.to_string();
    EXPECT_EQ(d.message.find("IST0174"), std::string::npos) << d.to_string();
    if (d.message.find("bound to no gateway (mesh only)") != std::string::npos) ++mesh_only;
    if (d.message.find("cannot be resolved on Kubernetes Service") != std::string::npos) {
      ++subsets;
      EXPECT_EQ(d.kind, "DestinationRule");
      EXPECT_NE(d.file.find("destination-rule-all.yaml"), std::string::npos);
    }
  }
  EXPECT_EQ(mesh_only, 4u) << dump(got);
  EXPECT_EQ(subsets, 10u) << dump(got);
  EXPECT_EQ(got.warning_count(), 14u) << dump(got);
}

}  // namespace
}  // namespace sy::config::testing
