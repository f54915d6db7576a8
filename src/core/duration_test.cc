#include "core/duration.h"

#include <gtest/gtest.h>

namespace sy {
namespace {

// Scenario: every duration form that appears in Istio YAML parses to the right value; malformed ones are refused.
TEST(Duration, ParsesGoStyleStrings) {
  using namespace std::chrono_literals;
  struct Case {
    const char* text;
    std::optional<Duration> want;
  } cases[] = {
      {"1s", 1s},
      {"0.5s", 500ms},
      {"100ms", 100ms},
      {"2h45m", 2h + 45min},
      {"7200s", 7200s},
      {"1m30s", 90s},
      {"1.5ms", 1500us},
      {"0", 0s},
      {"0s", 0s},
      {"10us", 10us},
      {"3ns", 3ns},
      {"", std::nullopt},
      {"5", std::nullopt},
      {"5d", std::nullopt},
      {"s", std::nullopt},
      {"1..2s", std::nullopt},
      {"abc", std::nullopt},
  };
  for (const auto& c : cases) {
    auto got = parse_duration(c.text);
    EXPECT_EQ(got.has_value(), c.want.has_value()) << c.text;
    if (got && c.want) {
      EXPECT_EQ(got->count(), c.want->count()) << c.text;
    }
  }
}

// Scenario: durations are echoed back in Istio's normalised short form.
TEST(Duration, FormatsLikeIstio) {
  using namespace std::chrono_literals;
  EXPECT_EQ(format_duration(180s), "3m");
  EXPECT_EQ(format_duration(1500ms), "1.5s");
  EXPECT_EQ(format_duration(250ms), "250ms");
  EXPECT_EQ(format_duration(0s), "0s");
  EXPECT_EQ(format_duration(2h + 45min), "2h45m");
}

}  // namespace
}  // namespace sy
