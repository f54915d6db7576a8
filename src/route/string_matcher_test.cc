#include "route/string_matcher.h"

#include <gtest/gtest.h>

namespace sy::route {
namespace {

using K = config::StringMatch::Kind;

// Scenario: each StringMatch kind compares as Istio/Envoy do — exact and prefix byte-wise,
// regex anchored at both ends, `{}` present; ignoreUriCase only relaxes exact/prefix.
TEST(StringMatcher, Table) {
  struct Case {
    K kind;
    const char* pattern;
    bool ignore_case;
    const char* input;
    bool want;
  } cases[] = {
      {K::kExact, "/foo", false, "/foo", true},
      {K::kExact, "/foo", false, "/foo/", false},
      {K::kExact, "/foo", false, "/FOO", false},
      {K::kExact, "/foo", true, "/FOO", true},
      {K::kPrefix, "/api", false, "/apix", true},  // raw string prefix, not path segments
      {K::kPrefix, "/api", false, "/ap", false},
      {K::kPrefix, "/API", true, "/api/v1", true},
      {K::kPrefix, "", false, "anything", true},
      {K::kRegex, "\\d+$", false, "a123", false},  // full match: must cover the whole input
      {K::kRegex, "\\d+", false, "123", true},
      {K::kRegex, "/v[12]/.*", false, "/v2/x", true},
      {K::kRegex, "/V1", true, "/v1", false},  // ignore_case has no effect on regex
      {K::kRegex, "(?i)/V1", false, "/v1", true},
      {K::kPresent, "", false, "", true},
      {K::kPresent, "", false, "x", true},
  };
  for (const auto& c : cases) {
    StringMatcher m = StringMatcher::compile({c.kind, c.pattern}, c.ignore_case);
    EXPECT_EQ(m.matches(c.input), c.want) << m.describe() << " vs " << c.input;
  }
}

// Scenario: a regex RE2 cannot compile never matches and says why.
TEST(StringMatcher, InvalidRegexNeverMatches) {
  std::string err;
  StringMatcher m = StringMatcher::compile({K::kRegex, "(?!x)"}, false, &err);
  EXPECT_FALSE(m.valid());
  EXPECT_FALSE(m.matches("y"));
  EXPECT_NE(err.find("invalid regex"), std::string::npos);
}

TEST(StringMatcher, Describe) {
  EXPECT_EQ(StringMatcher::exact("jason").describe(), "exact \"jason\"");
  EXPECT_EQ(StringMatcher::prefix("/v1", true).describe(), "prefix \"/v1\" (case-insensitive)");
  EXPECT_EQ(StringMatcher::presence().describe(), "present");
}

}  // namespace
}  // namespace sy::route
