#include "config/model/common.h"

namespace sy::config {

int Source::line_of(const std::string& path) const {
  std::string_view p = path;
  while (!p.empty()) {
    if (auto found = path_lines.find(p)) return *found;
    // Strip the last ".field" or "[i]" segment.
    size_t cut = p.find_last_of(".[");
    if (cut == std::string_view::npos) break;
    p = p.substr(0, cut);
  }
  return line;
}

}  // namespace sy::config
