// Reads networking.istio.io YAML (files, directories, multi-document streams) into a ConfigSet.
// Pure: no threads, no globals; safe to call from any thread (a reload thread uses it too).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostics.h"
#include "config/model/config_set.h"

namespace sy::config {

struct LoadResult {
  ConfigSet config;
  Diagnostics diagnostics;  // syntax, type, unknown-field and duration-format problems
  // Objects left out of `config` because of a problem above, with every field that did parse.
  // Only for `validate`, so one run reports their other problems too; never compile these.
  ConfigSet rejected;
};

// Each path is a file or a directory (searched recursively for *.yaml / *.yml, sorted by path).
// An object with a problem is reported and left out of `config` (kept in `rejected`); everything
// else loads.
LoadResult load_paths(const std::vector<std::string>& paths);

// Parses one YAML stream as if it were the file `file_name` (used by tests and by reload).
LoadResult load_string(std::string_view yaml, const std::string& file_name);

}  // namespace sy::config
