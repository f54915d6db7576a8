#include "config/diagnostics.h"

#include <algorithm>

namespace sy::config {

std::string printable(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != 0x7f) {
      out.push_back(ch);
      continue;
    }
    out.push_back('\\');
    switch (c) {
      case '\r':
        out.push_back('r');
        break;
      case '\n':
        out.push_back('n');
        break;
      case '\t':
        out.push_back('t');
        break;
      case 0:
        out.push_back('0');
        break;
      default:
        out.push_back('x');
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::string Diagnostic::to_string() const {
  // Built by appending: GCC 12 at -O3 reports a false -Wrestrict on `"literal" + std::string`.
  std::string out;
  out.append(file.empty() ? "<input>" : printable(file));
  out.append(":").append(std::to_string(line)).append(": ");
  if (!kind.empty()) out.append(printable(kind)).append(" ").append(printable(object)).append(": ");
  if (!path.empty()) out.append(printable(path)).append(": ");
  // Warnings keep the FILE:LINE: Kind ns/name: path: prefix so tools can parse both alike.
  if (severity == Severity::kWarning) out.append("warning: ");
  out.append(printable(message));
  return out;
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

size_t Diagnostics::error_count() const {
  return static_cast<size_t>(
      std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::kError; }));
}

size_t Diagnostics::warning_count() const { return items_.size() - error_count(); }

}  // namespace sy::config
