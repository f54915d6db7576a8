#include <gtest/gtest.h>

#include "core/duration.h"

namespace sy {
namespace {

// Scenario: corner cases of Go's time.ParseDuration that Istio YAML can contain, beyond duration_test.cc.
TEST(DurationGoCompat, EdgeCases) {
  using namespace std::chrono_literals;
  struct Case {
    const char* text;
    std::optional<Duration> want;
  } cases[] = {
      {"-1.5s", -1500ms},
      {"+5s", 5s},
      {".5s", 500ms},
      {"1.s", 1s},
      {"-0", 0s},
      {"1h0m0s", 1h},
      {"0.001s", 1ms},
      {"1.000001s", 1000001us},
      {"1\xC2\xB5s", 1us},
      {"2562047h", 2562047h},
      {"1m1m", 2min},
      {"500ms250ms", 750ms},
      {"1h-5m", std::nullopt},
      {"1e3s", std::nullopt},
      {" 1s", std::nullopt},
      {"1s ", std::nullopt},
      {"-", std::nullopt},
      {"+", std::nullopt},
      {".s", std::nullopt},
      {"9999999999h", std::nullopt},
      {"1S", std::nullopt},
      {"1sec", std::nullopt},
      {"1d", std::nullopt},
  };
  for (const auto& c : cases) {
    std::string error;
    auto got = parse_duration(c.text, &error);
    EXPECT_EQ(got.has_value(), c.want.has_value()) << c.text << " " << error;
    if (got && c.want) {
      EXPECT_EQ(got->count(), c.want->count()) << c.text;
    }
    if (!c.want) {
      EXPECT_FALSE(error.empty()) << c.text;
    }
  }
}

// Scenario: the error text names the offending input so the loader can show it to the user.
TEST(DurationGoCompat, ErrorTextNamesTheInput) {
  std::string error;
  EXPECT_FALSE(parse_duration("5x", &error));
  EXPECT_NE(error.find("\"5x\""), std::string::npos) << error;
  EXPECT_FALSE(parse_duration("5", &error));
  EXPECT_NE(error.find("missing unit"), std::string::npos) << error;
}

}  // namespace
}  // namespace sy
