// Per-object admission across reloads, as Istio's validating webhook does: an object that fails
// to parse or validate is rejected alone and its last good version stays in force; a file whose
// YAML cannot be parsed keeps every object it held before. Everything else applies.
// Owned by the reload thread; one AdmissionState lives as long as `serve`.
//
// The admitted config is held once: the ConfigSet an admit returns is the one the next admit
// keeps last-good versions from (and the snapshot compiled from it shares it). A file whose bytes
// did not change since it was last admitted whole is not parsed or validated again
// (`reusable`): its objects are copied from that ConfigSet and its diagnostics repeated.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
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
  std::shared_ptr<const ConfigSet> config;  // what should be compiled and published (never null)
  Diagnostics diagnostics;                  // every finding of the load, validation and analysis
  std::vector<Rejection> rejected;          // what did not take effect
};

class AdmissionState {
 public:
  // Merges a fresh load with the last admitted state and remembers the result.
  AdmissionResult admit(LoadResult fresh);

  // For load_paths: true when `file` with these bytes was admitted whole last time (every object
  // it gave took effect from it, none is a Secret, whose validity depends on the clock).
  bool reusable(const std::string& file, uint64_t content_hash) const;

  // The caller found the last admit's config equal to the one in force (same content hash) and
  // kept that: admission goes back to it too, so the model is held once, not twice. Files parsed
  // by that admit are parsed again next time (their objects' lines may differ from those kept).
  void keep_previous();

 private:
  // Where an admitted object sits in last_: the AnyObject alternative and the position in its list.
  struct Place {
    size_t kind = 0;
    size_t index = 0;
  };
  // A file admitted whole: its bytes' hash and what its load and validation said (warnings only).
  struct FileMemo {
    uint64_t content_hash = 0;
    size_t objects = 0;  // objects it gave (all in force)
    std::vector<Diagnostic> diagnostics;
  };

  AnyObject copy_of(const Place& p) const;
  void remember_files(const LoadResult& fresh, const Diagnostics& diagnostics, const std::vector<AnyObject*>& ordered,
                      const std::map<std::string, size_t>& parsed_per_file);

  std::shared_ptr<const ConfigSet> last_ = std::make_shared<const ConfigSet>();
  std::map<std::string, Place> objects_;                          // last admitted version of each object
  std::map<std::string, std::vector<std::string>> keys_by_file_;  // file -> object keys it held
  std::map<std::string, FileMemo> files_;                         // files admitted whole
  // The state before the last admit, for keep_previous, and the files that admit reused. Weak:
  // the snapshot compiled from it keeps it alive while it is in force, and nothing else should.
  std::weak_ptr<const ConfigSet> previous_last_;
  std::map<std::string, Place> previous_objects_;
  std::map<std::string, std::vector<std::string>> previous_keys_by_file_;
  std::vector<std::string> last_reused_;
};

}  // namespace sy::config
