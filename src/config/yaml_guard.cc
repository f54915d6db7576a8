#include "config/yaml_guard.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <sstream>

#include <algorithm>
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

namespace {

// Tracks what yaml-cpp's scanner will see at the start of each line: whether it is inside a flow
// collection ([...] or {...} spread over lines) or a block scalar (| or >), where a leading ','
// is ordinary content.
struct LineContext {
  int flow_depth = 0;
  int block_scalar_parent = -1;  // indentation of the line that opened a block scalar, or -1

  static int indent_of(std::string_view line) {
    const size_t i = line.find_first_not_of(' ');
    return i == std::string_view::npos ? -1 : static_cast<int>(i);
  }
  // True when `line` is content of a block scalar (and so not YAML structure).
  bool in_block_scalar(std::string_view line) {
    if (block_scalar_parent < 0) return false;
    const int indent = indent_of(line);
    if (indent < 0 || indent > block_scalar_parent) return true;
    block_scalar_parent = -1;
    return false;
  }
  // Updates the flow depth and block-scalar state from a structural line.
  void after(std::string_view line) {
    char quote = 0;
    size_t last = std::string_view::npos;  // last significant character outside a comment
    for (size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (quote) {
        if (c == quote) quote = 0;
        last = i;
        continue;
      }
      if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) break;
      if (c == '"' || c == '\'') quote = c;
      if (c == '[' || c == '{') ++flow_depth;
      if ((c == ']' || c == '}') && flow_depth > 0) --flow_depth;
      if (c != ' ' && c != '\t' && c != '\r') last = i;
    }
    if (flow_depth > 0 || last == std::string_view::npos) return;
    size_t i = last;  // a block scalar header: "|" or ">" with optional chomping/indent indicators
    while (i > 0 && (line[i] == '+' || line[i] == '-' || (line[i] >= '0' && line[i] <= '9'))) --i;
    if ((line[i] == '|' || line[i] == '>') && (i == 0 || line[i - 1] == ' ' || line[i - 1] == ':'))
      block_scalar_parent = std::max(indent_of(line), 0);
  }
};

// Counts what a parse produces and gives up once it has produced more than `text` could hold:
// every document and every node needs bytes of its own, except in yaml-cpp's runaway loop.
class EventBudget final : public YAML::EventHandler {
 public:
  struct Exceeded {};
  explicit EventBudget(size_t budget) : left_(budget) {}
  void OnDocumentStart(const YAML::Mark&) override { spend(); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override { spend(); }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { spend(); }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override { spend(); }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    spend();
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    spend();
  }
  void OnMapEnd() override {}

 private:
  void spend() {
    if (left_ == 0) throw Exceeded{};
    --left_;
  }
  size_t left_;
};

// True when a dry parse of `text` produces more events than its bytes allow. Syntax errors are
// left to the real parse, which reports them with their line.
bool parse_runs_away(std::string_view text) {
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  EventBudget budget(2 * text.size() + 16);
  try {
    while (parser.HandleNextDocument(budget)) {
    }
  } catch (const EventBudget::Exceeded&) {
    return true;
  } catch (const YAML::Exception&) {
  }
  return false;
}

std::optional<YamlGuardFinding> find_yaml_shape(std::string_view text);

}  // namespace

std::optional<YamlGuardFinding> find_yaml_hang(std::string_view text) {
  if (auto shape = find_yaml_shape(text)) return shape;
  if (parse_runs_away(text))
    return YamlGuardFinding{0, "the YAML parser runs away on this file (a ',' where a node should start?)"};
  return std::nullopt;
}

namespace {

std::optional<YamlGuardFinding> find_yaml_shape(std::string_view text) {
  bool at_document_start = true;
  LineContext context;
  int number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? text.size() + 1 : end + 1;
    ++number;
    if (context.in_block_scalar(line)) continue;
    if (line.starts_with("---") || line.starts_with("...")) {
      at_document_start = true;
      context = LineContext{};
      line.remove_prefix(3);  // "--- ,": the root may share the marker's line
    }
    if (!significant(line)) continue;
    size_t i = line.find_first_not_of(" \t");
    // A ',' opening a line outside a flow collection: yaml-cpp loops on it at any depth.
    if (line[i] == ',' && context.flow_depth == 0)
      return YamlGuardFinding{number, "a ',' at the start of a line outside [...] or {...} is not valid YAML"};
    if (at_document_start) {
      at_document_start = false;
      const char c = line[i];
      if (c == '"' || c == '\'' || c == '{' || c == '[') {
        const size_t after_root = skip_root(line, i);
        const size_t next = after_root == std::string_view::npos ? after_root
                                                                 : line.find_first_not_of(" \t\r", after_root);
        if (next != std::string_view::npos && line[next] == ',')
          return YamlGuardFinding{number, "a ',' right after a document's root is not valid YAML"};
      }
    }
    context.after(line);
  }
  return std::nullopt;
}

}  // namespace

}  // namespace sy::config
