// Types shared by several networking.istio.io kinds, mirroring istio/api networking/v1alpha3.
// Field names are Istio's camelCase turned to snake_case. Optional fields stay std::optional so
// later stages can tell "unset" (Istio default applies) from "set to the default value".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/model/path_lines.h"
#include "core/duration.h"

namespace sy::config {

using Labels = std::map<std::string, std::string>;

// Where an object came from. Every parsed field's path is mapped to its line so validation
// (which runs after parsing) can still point at the exact line of a field.
struct Source {
  std::string file;
  int line = 0;   // line of the document's first key (apiVersion/kind), 1-based
  int index = 0;  // position of the object in load order (file path order, then position in file)
  PathLines path_lines;  // "spec.http[0].route" -> 12 (compact: path_lines.h)

  // Line of `path`, or of its nearest recorded ancestor, or of the object.
  int line_of(const std::string& path) const;
};

struct ObjectMeta {
  std::string name;
  std::string namespace_ = "default";
  Labels labels;
  std::map<std::string, std::string> annotations;
};

// istio.networking.v1alpha3.StringMatch: exactly one of exact/prefix/regex; `{}` means presence.
struct StringMatch {
  enum class Kind { kExact, kPrefix, kRegex, kPresent };
  Kind kind = Kind::kPresent;
  std::string value;
};

struct Percent {
  double value = 0;
};

struct PortSelector {
  uint32_t number = 0;
};

struct Destination {
  std::string host;
  std::string subset;
  std::optional<PortSelector> port;
};

struct HeaderOperations {
  std::map<std::string, std::string> set;
  std::map<std::string, std::string> add;
  std::vector<std::string> remove;
};

struct Headers {
  std::optional<HeaderOperations> request;
  std::optional<HeaderOperations> response;
};

// A workload address with labels; used inline in ServiceEntry.endpoints and as the WorkloadEntry spec.
struct WorkloadEntrySpec {
  std::string address;
  std::map<std::string, uint32_t> ports;
  Labels labels;
  std::string network;
  std::string locality;
  std::optional<uint32_t> weight;
  std::string service_account;
};

}  // namespace sy::config
