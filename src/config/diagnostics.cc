#include "config/diagnostics.h"

#include <algorithm>

namespace sy::config {

std::string Diagnostic::to_string() const {
  // Built by appending: GCC 12 at -O3 reports a false -Wrestrict on `"literal" + std::string`.
  std::string out;
  out.append(file.empty() ? "<input>" : file);
  out.append(":").append(std::to_string(line)).append(": ");
  if (!kind.empty()) out.append(kind).append(" ").append(object).append(": ");
  if (!path.empty()) out.append(path).append(": ");
  // Warnings keep the FILE:LINE: Kind ns/name: path: prefix so tools can parse both alike.
  if (severity == Severity::kWarning) out.append("warning: ");
  out.append(message);
  return out;
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

size_t Diagnostics::error_count() const {
  return static_cast<size_t>(std::count_if(items_.begin(), items_.end(),
                                           [](const Diagnostic& d) { return d.severity == Severity::kError; }));
}

size_t Diagnostics::warning_count() const { return items_.size() - error_count(); }

}  // namespace sy::config
