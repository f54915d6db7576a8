#include "config/yaml_guard.h"

#include <gtest/gtest.h>

namespace sy::config {
namespace {

// Scenario: document shapes that hang yaml-cpp are found (with their line); ordinary YAML is not.
TEST(YamlGuard, FindsHangingShapes) {
  struct Case {
    std::string text;
    int line;  // 0 = nothing found
  };
  const Case cases[] = {
      {",\n", 1},
      {" ,\n", 1},
      {",a\n", 1},
      {", a: b\n", 1},
      {"\"a\",\n", 1},
      {"'a', b\n", 1},
      {"{a: b}, c\n", 1},
      {"[a, b] , c\n", 1},
      {"# comment\n\n,\n", 3},
      {"k: v\n---\n,\n", 3},
      {"k: v\n--- ,\n", 2},
      {"apiVersion: v1\nkind: X\n", 0},
      {"a: b, c: d\n", 0},
      {"\"a\", b: c\n", 1},  // yaml-cpp rejects this one, but a quoted root followed by , is refused alike
      {"x: [a, ,]\n", 0},
      {"- a\n- b\n", 0},
      {"{a: b}\n", 0},
      {"a,b\n", 0},
      {"", 0},
      // A ',' opening a line deeper in a block mapping hangs too (found by the fuzzer).
      {"a:\n  b: 1\n  ,\n", 3},
      {"a:\n  b: [x,\n    y\n    , z]\n", 0},  // inside a multi-line flow sequence it is fine
      {"a: {x: 1,\n  y: 2\n  , z: 3}\n", 0},
      {"a: |\n  text\n  , more text\nb: 1\n", 0},  // block scalar content
      {"a: >-\n  , folded\n", 0},
      {"a: |\n  text\n,\n", 3},  // the block scalar ended: structure again
      {"a: 'x, [y'\n,\n", 2},    // brackets inside quotes do not count
      // An anchor or a tag before the ',' (yaml-cpp issue 1040): caught by the dry parse.
      {"&a ,\n", 0 - 1},
      {"!t ,\n", 0 - 1},
      {"k: v\n---\n  &a ,\n", 0 - 1},
  };
  for (const Case& c : cases) {
    // line -1: found by the dry parse, which reports line 0.
    const auto found = find_yaml_hang(c.text);
    EXPECT_EQ(found.has_value(), c.line != 0) << c.text;
    if (found && c.line > 0) {
      EXPECT_EQ(found->line, c.line) << c.text;
    }
  }
}

}  // namespace
}  // namespace sy::config
