#include "config/yaml_guard.h"

#include <vector>

namespace sy::config {

namespace {

// Position just past the quoted scalar or flow collection starting at text[i], or npos when it
// does not close on this line (a multi-line root is left to yaml-cpp).
size_t skip_root(std::string_view line, size_t i) {
  const char open = line[i];
  if (open == '"' || open == '\'') {
    for (size_t j = i + 1; j < line.size(); ++j) {
      if (open == '"' && line[j] == '\\') {
        ++j;
        continue;
      }
      if (line[j] == open) {
        if (open == '\'' && j + 1 < line.size() && line[j + 1] == '\'') {  // '' escapes a quote
          ++j;
          continue;
        }
        return j + 1;
      }
    }
    return std::string_view::npos;
  }
  int depth = 0;
  char quote = 0;
  for (size_t j = i; j < line.size(); ++j) {
    const char c = line[j];
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    if (c == '{' || c == '[') ++depth;
    if ((c == '}' || c == ']') && --depth == 0) return j + 1;
  }
  return std::string_view::npos;
}

bool significant(std::string_view line) {
  const size_t i = line.find_first_not_of(" \t\r");
  return i != std::string_view::npos && line[i] != '#' && line[i] != '%';
}

}  // namespace

std::optional<YamlGuardFinding> find_yaml_hang(std::string_view text) {
  bool at_document_start = true;
  int number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? text.size() + 1 : end + 1;
    ++number;
    if (line.starts_with("---") || line.starts_with("...")) {
      at_document_start = true;
      line.remove_prefix(3);  // "--- ,": the root may share the marker's line
    }
    if (!at_document_start || !significant(line)) continue;
    at_document_start = false;
    size_t i = line.find_first_not_of(" \t");
    const char c = line[i];
    if (c == '"' || c == '\'' || c == '{' || c == '[') {
      i = skip_root(line, i);
      if (i == std::string_view::npos) continue;
      i = line.find_first_not_of(" \t\r", i);
      if (i == std::string_view::npos) continue;
    }
    if (line[i] == ',')
      return YamlGuardFinding{number, "a ',' where a document's root should be (or right after it) is not valid YAML"};
  }
  return std::nullopt;
}

}  // namespace sy::config
