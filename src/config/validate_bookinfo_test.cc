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

}  // namespace
}  // namespace sy::config::testing
