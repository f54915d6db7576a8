// yaml-cpp 0.7 (Debian 12's) never returns on some malformed documents: a ',' where a
// document's root node should start (", a: b"), or right after a quoted or flow-collection root
// ('"a",', "{a: b}, c"). It loops allocating until the process runs out of memory, so one bad
// file would hang `validate` and the reload thread of `serve`. These shapes are refused before
// yaml-cpp sees them (found by fuzzing; fuzz/regressions/config_yaml holds the inputs). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sy::config {

struct YamlGuardFinding {
  int line = 0;  // 1-based
  std::string message;
};

// The first document shape in `text` known to hang yaml-cpp, if any.
std::optional<YamlGuardFinding> find_yaml_hang(std::string_view text);

}  // namespace sy::config
