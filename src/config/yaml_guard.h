// yaml-cpp 0.7 (Debian 12's) never returns on some malformed streams: a ',' where a node should
// start (", a: b", "&a ,", "!t ,", a ',' opening a line of a block mapping) makes its LoadAll
// produce empty documents without end, allocating until the process runs out of memory (yaml-cpp
// issue 1040) — one bad file would hang `validate` and the reload thread of `serve`. Two guards,
// both run before LoadAll: the known shapes by text (cheap, with the line), and a dry parse that
// counts documents and stops once there are more than the text could hold. Inputs that found
// them: fuzz/regressions/config_yaml. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sy::config {

struct YamlGuardFinding {
  int line = 0;  // 1-based
  std::string message;
};

// The first document shape in `text` known to hang yaml-cpp, if any; else whether a dry parse
// runs away (line 0 then: where it started is not known).
std::optional<YamlGuardFinding> find_yaml_hang(std::string_view text);

}  // namespace sy::config
