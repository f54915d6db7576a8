#include "config/yaml_reader.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace sy::config::yaml {
namespace {

// Quoted scalars ("5", '5') and explicit !!str are strings; plain scalars get YAML type resolution.
bool is_quoted(const YAML::Node& n) { return n.Tag() == "!" || n.Tag() == "tag:yaml.org,2002:str"; }

bool is_plain_bool(const std::string& s) {
  return s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE";
}

bool parse_int(const std::string& s, int64_t& out) {
  if (s.empty()) return false;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size()) return false;
  for (size_t j = i; j < s.size(); ++j)
    if (s[j] < '0' || s[j] > '9') return false;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno == ERANGE || *end != '\0') return false;
  out = v;
  return true;
}

// Decimal number in the YAML 1.2 core schema form ("1", "-2.5", "1e3", ".5"); no inf/nan.
bool parse_number(const std::string& s, double& out) {
  if (s.empty()) return false;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  bool digits = false;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, digits = true;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, digits = true;
  }
  if (!digits) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    bool exp = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, exp = true;
    if (!exp) return false;
  }
  if (i != s.size()) return false;
  out = std::strtod(s.c_str(), nullptr);
  return std::isfinite(out);
}

bool is_special_float(const std::string& s) {
  static const char* kForms[] = {".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF", "+.inf", ".nan", ".NaN", ".NAN"};
  for (const char* f : kForms)
    if (s == f) return true;
  return false;
}

// "a string", "a list", ... for "expected X, got Y" messages.
std::string describe(const YAML::Node& n) {
  if (n.IsMap()) return "a map";
  if (n.IsSequence()) return "a list";
  if (n.IsNull()) return "null";
  const std::string& s = n.Scalar();
  if (is_quoted(n)) return "string \"" + s + "\"";
  double d;
  if (parse_number(s, d) || is_special_float(s)) return "number " + s;
  if (is_plain_bool(s)) return "boolean " + s;
  return "string \"" + s + "\"";
}

// A plain scalar inside a flow sequence that contains ':' right before a flow indicator, such as
// the IPv6 address in `addresses: [1.2.3.4, 001:db8::]`: yaml-cpp follows the YAML spec and reads
// `001:db8:` as the key of a one-pair mapping with an empty value, while Kubernetes' decoder
// (go-yaml) keeps `001:db8::` one string. Such a pair is recognised by its shape: a flow mapping
// that starts where its only key starts (no `{`), a plain key on one line, and an empty value
// whose position is right after the `:` that follows the key (nothing between `:` and `,` / `]`).
std::optional<std::string> implicit_flow_pair_as_string(const YAML::Node& n) {
  if (!n.IsMap() || n.Style() != YAML::EmitterStyle::Flow || n.size() != 1) return std::nullopt;
  // Copies (cheap handles): yaml-cpp's iterator hands out a temporary pair through operator->,
  // so a reference to its members dangles at the end of the statement (AddressSanitizer saw it).
  const auto kv = n.begin();
  const YAML::Node key = kv->first;
  const YAML::Node value = kv->second;
  if (!key.IsScalar() || key.Tag() != "?" || !value.IsNull() || !value.Tag().empty()) return std::nullopt;
  const YAML::Mark km = key.Mark(), vm = value.Mark(), nm = n.Mark();
  if (km.is_null() || vm.is_null() || nm.pos != km.pos || vm.line != km.line) return std::nullopt;
  const std::string& k = key.Scalar();
  if (vm.pos != km.pos + static_cast<int>(k.size()) + 1) return std::nullopt;
  return k + ":";
}

}  // namespace

void ObjectContext::record(const std::string& path, int line) {
  if (!path.empty() && line > 0) source_.path_lines.record(path, line);
}

void ObjectContext::error(const std::string& path, int line, std::string message) {
  problems_.push_back(Problem{path, line, std::move(message)});
}

int line_of(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  YAML::Mark m = node.Mark();
  return m.is_null() ? 0 : m.line + 1;
}

Cursor::Cursor(YAML::Node node, std::string path, int line, ObjectContext& ctx)
    : node_(node), path_(std::move(path)), line_(line), ctx_(ctx) {
  ctx_.record(path_, line_);
}

std::optional<std::string> Cursor::as_string() const {
  if (node_.IsScalar()) {
    const std::string& s = node_.Scalar();
    double d;
    if (is_quoted(node_) || !(parse_number(s, d) || is_special_float(s) || is_plain_bool(s))) return s;
  }
  if (auto s = implicit_flow_pair_as_string(node_)) return s;
  error("expected a string, got " + describe(node_) + (node_.IsScalar() ? " (quote it)" : ""));
  return std::nullopt;
}

bool Cursor::is_integer() const {
  int64_t v = 0;
  return node_.IsScalar() && !is_quoted(node_) && parse_int(node_.Scalar(), v);
}

std::optional<int64_t> Cursor::as_int(int64_t min, int64_t max) const {
  int64_t v = 0;
  if (!node_.IsScalar() || is_quoted(node_) || !parse_int(node_.Scalar(), v)) {
    error("expected an integer, got " + describe(node_));
    return std::nullopt;
  }
  if (v < min || v > max) {
    error(min == 0 && v < 0 ? "expected a non-negative integer, got " + node_.Scalar()
                            : "integer " + node_.Scalar() + " out of range [" + std::to_string(min) + ", " +
                                  std::to_string(max) + "]");
    return std::nullopt;
  }
  return v;
}

std::optional<double> Cursor::as_double() const {
  double v = 0;
  if (!node_.IsScalar() || is_quoted(node_) || !parse_number(node_.Scalar(), v)) {
    error("expected a number, got " + describe(node_));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> Cursor::as_bool() const {
  // Only the canonical spellings: True/TRUE are YAML booleans too, but Istio's docs and
  // kubectl output never use them, so they are more likely a typo than intent.
  if (node_.IsScalar() && !is_quoted(node_) && (node_.Scalar() == "true" || node_.Scalar() == "false"))
    return node_.Scalar() == "true";
  error("expected a boolean (true or false), got " + describe(node_));
  return std::nullopt;
}

std::optional<Duration> Cursor::as_duration() const {
  if (!node_.IsScalar()) {
    error("expected a duration string, got " + describe(node_));
    return std::nullopt;
  }
  const std::string& text = node_.Scalar();
  std::string detail;
  auto d = parse_duration(text, &detail);
  if (!d) {
    std::string msg = "invalid duration \"" + text + "\"";
    if (detail.rfind("invalid duration", 0) != 0) msg += " (" + detail + ")";
    error(std::move(msg));
  }
  return d;
}

bool Cursor::expect_map() {
  if (!node_.IsMap()) {
    error("expected a map, got " + describe(node_));
    return false;
  }
  if (indexed_) return true;
  indexed_ = true;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    // Copies: the iterator's pair is a temporary, so references into it would dangle.
    const YAML::Node k = it->first;
    const YAML::Node v = it->second;
    int key_line = line_of(k);
    if (key_line == 0) key_line = line_;
    if (!k.IsScalar()) {
      ctx_.error(path_, key_line, "expected a string key, got " + describe(k));
      continue;
    }
    const std::string& key = k.Scalar();
    if (find(key) != nullptr) {
      ctx_.error(child_path(key), key_line, "duplicate field \"" + key + "\"");
      continue;
    }
    entries_.push_back(Entry{key, v, key_line, false});
  }
  return true;
}

Cursor::Entry* Cursor::find(std::string_view key) {
  for (Entry& e : entries_)
    if (e.key == key) return &e;
  return nullptr;
}

const Cursor::Entry* Cursor::find(std::string_view key) const {
  for (const Entry& e : entries_)
    if (e.key == key) return &e;
  return nullptr;
}

std::string Cursor::child_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

std::optional<Cursor> Cursor::field(std::string_view key) {
  if (!node_.IsMap() || (!indexed_ && !expect_map())) return std::nullopt;
  Entry* e = find(key);
  if (e == nullptr) return std::nullopt;
  e->used = true;
  Cursor child(e->value, child_path(key), e->line, ctx_);
  if (child.is_null()) return std::nullopt;
  return child;
}

bool Cursor::has(std::string_view key) const {
  const Entry* e = find(key);
  return e != nullptr && e->value.IsDefined() && !e->value.IsNull();
}

void Cursor::skip(std::string_view key) {
  if (Entry* e = find(key)) e->used = true;
}

void Cursor::finish() {
  for (const Entry& e : entries_)
    if (!e.used) ctx_.error(child_path(e.key), e.line, "unknown field \"" + e.key + "\"");
}

std::vector<Cursor> Cursor::items() const {
  std::vector<Cursor> out;
  if (!node_.IsSequence()) {
    error("expected a list, got " + describe(node_));
    return out;
  }
  for (size_t i = 0; i < node_.size(); ++i) {
    YAML::Node item = node_[i];
    int item_line = line_of(item);
    out.emplace_back(item, path_ + "[" + std::to_string(i) + "]", item_line ? item_line : line_, ctx_);
  }
  return out;
}

std::vector<std::pair<std::string, Cursor>> Cursor::entries() {
  std::vector<std::pair<std::string, Cursor>> out;
  if (!expect_map()) return out;
  for (Entry& e : entries_) {
    e.used = true;
    out.emplace_back(e.key, Cursor(e.value, child_path(e.key), e.line, ctx_));
  }
  return out;
}

bool Cursor::oneof(std::initializer_list<std::string_view> keys) const {
  std::vector<std::string_view> set;
  for (std::string_view k : keys)
    if (has(k)) set.push_back(k);
  if (set.size() <= 1) return true;
  std::string msg = "only one of ";
  for (size_t i = 0; i < set.size(); ++i) msg += (i ? ", " : "") + std::string(set[i]);
  error(msg + " may be set");
  return false;
}

std::string Cursor::unknown_enum_message(const std::string& value, const std::vector<std::string_view>& names) {
  std::string msg = "unknown value \"" + value + "\", allowed: ";
  for (size_t i = 0; i < names.size(); ++i) msg += (i ? ", " : "") + std::string(names[i]);
  return msg;
}

// --- Field readers. ---

void Cursor::read(std::string_view key, std::string& out) {
  if (auto c = field(key))
    if (auto v = c->as_string()) out = std::move(*v);
}

void Cursor::read(std::string_view key, std::optional<std::string>& out) {
  if (auto c = field(key)) out = c->as_string();
}

void Cursor::read(std::string_view key, bool& out) {
  if (auto c = field(key))
    if (auto v = c->as_bool()) out = *v;
}

void Cursor::read(std::string_view key, std::optional<bool>& out) {
  if (auto c = field(key)) out = c->as_bool();
}

void Cursor::read(std::string_view key, uint32_t& out) {
  if (auto c = field(key))
    if (auto v = c->as_int(0, std::numeric_limits<uint32_t>::max())) out = static_cast<uint32_t>(*v);
}

void Cursor::read(std::string_view key, std::optional<uint32_t>& out) {
  if (auto c = field(key))
    if (auto v = c->as_int(0, std::numeric_limits<uint32_t>::max())) out = static_cast<uint32_t>(*v);
}

void Cursor::read(std::string_view key, std::optional<int32_t>& out) {
  if (auto c = field(key))
    if (auto v = c->as_int(std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()))
      out = static_cast<int32_t>(*v);
}

void Cursor::read(std::string_view key, std::optional<uint64_t>& out) {
  if (auto c = field(key))
    if (auto v = c->as_int(0, std::numeric_limits<int64_t>::max())) out = static_cast<uint64_t>(*v);
}

void Cursor::read(std::string_view key, std::optional<double>& out) {
  if (auto c = field(key)) out = c->as_double();
}

void Cursor::read(std::string_view key, std::optional<Duration>& out) {
  if (auto c = field(key)) out = c->as_duration();
}

void Cursor::read(std::string_view key, std::vector<std::string>& out) {
  auto c = field(key);
  if (!c) return;
  for (const Cursor& item : c->items())
    if (auto v = item.as_string()) out.push_back(std::move(*v));
}

void Cursor::read(std::string_view key, std::map<std::string, std::string>& out) {
  auto c = field(key);
  if (!c) return;
  for (auto& [k, v] : c->entries()) {
    if (v.is_null()) {
      out[k] = "";  // `key:` with no value decodes as the empty string, as Kubernetes does
      continue;
    }
    if (auto s = v.as_string()) out[k] = std::move(*s);
  }
}

void Cursor::read(std::string_view key, std::map<std::string, uint32_t>& out) {
  auto c = field(key);
  if (!c) return;
  for (auto& [k, v] : c->entries())
    if (auto n = v.as_int(0, std::numeric_limits<uint32_t>::max())) out[k] = static_cast<uint32_t>(*n);
}

void Cursor::read(std::string_view key, std::optional<Percent>& out) {
  read_object(key, out, [](Cursor& c, Percent& p) {
    std::optional<double> v;
    c.read("value", v);
    if (v) p.value = *v;
  });
}

}  // namespace sy::config::yaml
