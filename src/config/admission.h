// Per-object admission across reloads, as Istio's validating webhook does: an object that fails
// to parse or validate is rejected alone and its last good version stays in force; a file whose
// YAML cannot be parsed keeps every object it held before. Everything else applies.
// Owned by the reload thread; one AdmissionState lives as long as `serve`.
#pragma once

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "config/loader.h"

namespace sy::config {

using AnyObject = std::variant<Gateway, VirtualService, DestinationRule, ServiceEntry, WorkloadEntry, Secret,
                               KubeService, EndpointSlice>;

// "Kind/namespace/name": the identity of an object across reloads.
std::string object_key(const AnyObject& o);

struct Rejection {
  std::string key;             // "VirtualService/ns/name", or "file:PATH" for unparseable files
  bool kept_previous = false;  // its last good version stays in force
  std::vector<Diagnostic> errors;
};

struct AdmissionResult {
  ConfigSet config;                 // what should be compiled and published
  Diagnostics diagnostics;          // every finding of the load, validation and analysis
  std::vector<Rejection> rejected;  // what did not take effect
};

class AdmissionState {
 public:
  // Merges a fresh load with the last admitted state and remembers the result.
  AdmissionResult admit(LoadResult fresh);

 private:
  std::map<std::string, AnyObject> objects_;                      // last admitted version of each object
  std::map<std::string, std::vector<std::string>> keys_by_file_;  // file -> object keys it held
};

}  // namespace sy::config
