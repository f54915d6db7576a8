#include "config/diagnostics.h"

#include <algorithm>

namespace sy::config {

std::string Diagnostic::to_string() const {
  std::string out = file.empty() ? std::string("<input>") : file;
  out += ":" + std::to_string(line) + ": ";
  if (!kind.empty()) out += kind + " " + object + ": ";
  if (!path.empty()) out += path + ": ";
  // Warnings keep the FILE:LINE: Kind ns/name: path: prefix so tools can parse both alike.
  if (severity == Severity::kWarning) out += "warning: ";
  out += message;
  return out;
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

size_t Diagnostics::error_count() const {
  return static_cast<size_t>(std::count_if(items_.begin(), items_.end(),
                                           [](const Diagnostic& d) { return d.severity == Severity::kError; }));
}

size_t Diagnostics::warning_count() const { return items_.size() - error_count(); }

}  // namespace sy::config
