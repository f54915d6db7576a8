// Reads networking.istio.io YAML (files, directories, multi-document streams) into a ConfigSet.
// Pure: no globals; safe to call from any thread (a reload thread uses it too). A large load
// parses its files on a few threads of its own, joined before load_paths returns.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
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
  std::map<std::string, uint64_t> content_hashes;  // every file read -> a hash of its bytes
  // Files the caller's ReuseFile took as unchanged: read and hashed but not parsed, so neither
  // their objects nor their diagnostics are in this result (the caller has them from before).
  std::vector<std::string> reused;
};

// Asked for every file read, with the hash of its bytes: true when the caller still holds what
// the file gave last time and the loader should not parse it again (a reload parses only the
// files that changed: config::AdmissionState decides).
using ReuseFile = std::function<bool(const std::string& file, uint64_t content_hash)>;

// Each path is a file or a directory (searched recursively for *.yaml / *.yml, sorted by path).
// An object with a problem is reported and left out of `config` (kept in `rejected`); everything
// else loads.
LoadResult load_paths(const std::vector<std::string>& paths, const ReuseFile& reuse = {});

// Parses one YAML stream as if it were the file `file_name` (used by tests and by reload).
LoadResult load_string(std::string_view yaml, const std::string& file_name);

}  // namespace sy::config
