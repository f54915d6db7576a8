#include "core/base64.h"

#include <gtest/gtest.h>

namespace sy {
namespace {

// Scenario: HTTPBody.bytes values decode like protobuf's JSON mapping (std or URL alphabet, padding optional).
TEST(Base64, Decodes) {
  struct Case {
    const char* text;
    std::optional<std::string> want;
  } cases[] = {
      {"", std::string()},
      {"aGVsbG8gd29ybGQ=", std::string("hello world")},
      {"aGVsbG8gd29ybGQ", std::string("hello world")},
      {"YQ==", std::string("a")},
      {"YQ", std::string("a")},
      {"YWI=", std::string("ab")},
      {"YWJj", std::string("abc")},
      {"+/8=", std::string("\xfb\xff", 2)},
      {"-_8", std::string("\xfb\xff", 2)},
      {"AA==", std::string("\0", 1)},
      {"Y", std::nullopt},          // a lone 6-bit group is not a byte
      {"YQ=", std::nullopt},        // padding that does not complete the quantum
      {"YQ===", std::nullopt},      // too much padding
      {"Y=Q=", std::nullopt},       // padding in the middle
      {"aGVs bG8=", std::nullopt},  // whitespace
      {"@@", std::nullopt},         // not in either alphabet
  };
  for (const auto& c : cases) {
    EXPECT_EQ(base64_decode(c.text), c.want) << c.text;
  }
}

}  // namespace
}  // namespace sy
