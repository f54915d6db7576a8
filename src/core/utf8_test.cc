#include "core/utf8.h"

#include <gtest/gtest.h>

namespace sy {
namespace {

// Scenario: client bytes are classified as clean UTF-8 or not, and escaped only where broken.
TEST(Utf8, CleanOrEscaped) {
  struct Case {
    std::string in;
    bool clean;
    std::string escaped;
  };
  const Case cases[] = {
      {"", true, ""},
      {"/plain/path?q=1", true, "/plain/path?q=1"},
      {"caf\xc3\xa9", true, "caf\xc3\xa9"},                 // é
      {"\xe2\x82\xac", true, "\xe2\x82\xac"},               // €
      {"\xf0\x9f\x98\x80", true, "\xf0\x9f\x98\x80"},       // emoji
      {"/\xff", false, "/\\xff"},                           // never valid
      {"\xc0\xaf", false, "\\xc0\\xaf"},                    // overlong '/'
      {"\xe0\x80\xaf", false, "\\xe0\\x80\\xaf"},           // overlong, 3 bytes
      {"\xed\xa0\x80", false, "\\xed\\xa0\\x80"},           // surrogate
      {"\xf4\x90\x80\x80", false, "\\xf4\\x90\\x80\\x80"},  // above U+10FFFF
      {"ab\xc3", false, "ab\\xc3"},                         // truncated at the end
      {"\xc3(", false, "\\xc3("},                           // bad continuation
      {std::string("a\0b", 3), false, "a\\x00b"},           // control characters
      {"a\tb\x7f", false, "a\\x09b\\x7f"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(is_clean_utf8(c.in), c.clean) << c.in;
    std::string out;
    append_escaped_utf8(c.in, out);
    EXPECT_EQ(out, c.escaped) << c.in;
    std::string scratch;
    EXPECT_EQ(std::string(log_safe(c.in, scratch)), c.escaped);
  }
}

}  // namespace
}  // namespace sy
