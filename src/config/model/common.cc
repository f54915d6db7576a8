#include "config/model/common.h"

namespace sy::config {

int Source::line_of(const std::string& path) const {
  std::string p = path;
  while (!p.empty()) {
    if (auto it = path_lines.find(p); it != path_lines.end()) return it->second;
    // Strip the last ".field" or "[i]" segment.
    size_t cut = p.find_last_of(".[");
    if (cut == std::string::npos) break;
    p.resize(cut);
  }
  return line;
}

}  // namespace sy::config
