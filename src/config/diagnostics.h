// Problems found while loading, validating or compiling config, each pinned to FILE:LINE and a field path.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sy::config {

enum class Severity { kError, kWarning };

// `s` with control characters (bytes 0x00-0x1F and 0x7F) written as C escapes (\r, \n, \t, \0,
// \xNN), so a config string carrying CR/LF/NUL can be quoted in a one-line diagnostic or log entry.
// Other bytes, UTF-8 included, are kept as they are.
std::string printable(std::string_view s);

// One problem. Printed as `FILE:LINE: Kind namespace/name: field.path: message`; control
// characters in any part are escaped (`printable`), so every diagnostic is exactly one line.
struct Diagnostic {
  Severity severity = Severity::kError;
  std::string file;
  int line = 0;         // 1-based; 0 when unknown
  std::string kind;     // "VirtualService", empty for file-level problems (YAML syntax)
  std::string object;   // "namespace/name"
  std::string path;     // "spec.http[0].route[1].weight"
  std::string message;  // may start with an istioctl analyze code: "IST0101 ..."

  std::string to_string() const;
};

// Collects diagnostics in discovery order. Not thread-safe: one per load/validate run.
class Diagnostics {
 public:
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  const std::vector<Diagnostic>& items() const { return items_; }
  bool has_errors() const;
  size_t error_count() const;
  size_t warning_count() const;
  void append(const Diagnostics& other) { items_.insert(items_.end(), other.items_.begin(), other.items_.end()); }

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace sy::config
