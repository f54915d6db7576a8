// A typed, path-aware cursor over a yaml-cpp node, used only by the src/config parse_*.cc files.
// It reads fields the way Kubernetes' strict decoder + Istio's CRD schema would: wrong types and
// unknown fields are errors, quoted scalars are strings. Every visited field path is recorded with
// its 1-based line in the object's Source. Single-threaded: one ObjectContext per object parse.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/model/common.h"
#include "core/duration.h"

namespace sy::config::yaml {

// One problem found while parsing an object; the loader turns it into a Diagnostic.
struct Problem {
  std::string path;
  int line = 0;
  std::string message;
};

// Per-object parse state: where field lines go and which problems were found.
class ObjectContext {
 public:
  explicit ObjectContext(Source& source) : source_(source) {}
  void record(const std::string& path, int line);
  void error(const std::string& path, int line, std::string message);
  const std::vector<Problem>& problems() const { return problems_; }

 private:
  Source& source_;
  std::vector<Problem> problems_;
};

// 1-based line of a node, or 0 when yaml-cpp has no position for it.
int line_of(const YAML::Node& node);

// A node at a field path. For a map it remembers which keys were read so finish() can report
// the rest as unknown fields. Readers leave the target untouched when the key is absent or null.
class Cursor {
 public:
  Cursor(YAML::Node node, std::string path, int line, ObjectContext& ctx);

  const std::string& path() const { return path_; }
  int line() const { return line_; }
  bool is_null() const { return !node_.IsDefined() || node_.IsNull(); }
  bool is_map() const { return node_.IsMap(); }
  // An unquoted integer scalar: lets Kubernetes' int-or-string fields (a Service's targetPort)
  // choose between as_int and as_string.
  bool is_integer() const;
  void error(std::string message) const { ctx_.error(path_, line_, std::move(message)); }
  ObjectContext& context() const { return ctx_; }

  // --- Scalars: report a type error and return nullopt on mismatch. ---
  std::optional<std::string> as_string() const;
  std::optional<int64_t> as_int(int64_t min, int64_t max) const;
  std::optional<double> as_double() const;
  std::optional<bool> as_bool() const;
  std::optional<Duration> as_duration() const;

  // Maps an enum's proto name to its value; an unknown name is an error listing the allowed ones.
  template <class E>
  std::optional<E> as_enum(std::initializer_list<std::pair<std::string_view, E>> table) const {
    auto s = as_string();
    if (!s) return std::nullopt;
    for (const auto& [name, value] : table)
      if (name == *s) return value;
    std::vector<std::string_view> names;
    for (const auto& entry : table) names.push_back(entry.first);
    error(unknown_enum_message(*s, names));
    return std::nullopt;
  }

  // --- Structure. ---
  // True when the node is a map; otherwise reports "expected a map".
  bool expect_map();
  // The value of `key` (marked as read), or nullopt when absent or null.
  std::optional<Cursor> field(std::string_view key);
  bool has(std::string_view key) const;
  // Marks a key as known without reading it (ignored Kubernetes fields).
  void skip(std::string_view key);
  // Reports every key that was not read as `unknown field "k"`.
  void finish();
  // Items of a list (reports "expected a list" and returns nothing otherwise).
  std::vector<Cursor> items() const;
  // Entries of a free-form map (labels, headers): key and value cursor, in document order.
  std::vector<std::pair<std::string, Cursor>> entries();
  // Reports an error when more than one of the proto oneof's keys is present.
  bool oneof(std::initializer_list<std::string_view> keys) const;

  // --- Field readers on a map cursor. ---
  void read(std::string_view key, std::string& out);
  void read(std::string_view key, std::optional<std::string>& out);
  void read(std::string_view key, bool& out);
  void read(std::string_view key, std::optional<bool>& out);
  void read(std::string_view key, uint32_t& out);
  void read(std::string_view key, std::optional<uint32_t>& out);
  void read(std::string_view key, std::optional<int32_t>& out);
  void read(std::string_view key, std::optional<uint64_t>& out);
  void read(std::string_view key, std::optional<double>& out);
  void read(std::string_view key, std::optional<Duration>& out);
  void read(std::string_view key, std::vector<std::string>& out);
  void read(std::string_view key, std::map<std::string, std::string>& out);
  void read(std::string_view key, std::map<std::string, uint32_t>& out);
  void read(std::string_view key, std::optional<Percent>& out);

  template <class E>
  void read_enum(std::string_view key, E& out, std::initializer_list<std::pair<std::string_view, E>> table) {
    if (auto c = field(key))
      if (auto v = c->as_enum(table)) out = *v;
  }

  // A nested message: `parse(Cursor&, T&)` fills a fresh T; unknown keys are reported afterwards.
  template <class T, class F>
  void read_object(std::string_view key, std::optional<T>& out, F&& parse) {
    if (auto c = field(key)) out = c->object<T>(parse);
  }
  template <class T, class F>
  void read_object(std::string_view key, T& out, F&& parse) {
    if (auto c = field(key))
      if (auto v = c->object<T>(parse)) out = std::move(*v);
  }
  // A repeated message: each item parsed as read_object does.
  template <class T, class F>
  void read_list(std::string_view key, std::vector<T>& out, F&& parse) {
    auto c = field(key);
    if (!c) return;
    std::vector<Cursor> items = c->items();
    out.reserve(out.size() + items.size());  // exact: a parsed object is kept while it is in force
    for (Cursor& item : items)
      if (auto v = item.object<T>(parse)) out.push_back(std::move(*v));
  }

  // This node as a message T (nullopt when it is not a map).
  template <class T, class F>
  std::optional<T> object(F&& parse) {
    if (!expect_map()) return std::nullopt;
    T value{};
    parse(*this, value);
    finish();
    return value;
  }

 private:
  struct Entry {
    std::string key;
    YAML::Node value;
    int line = 0;
    bool used = false;
  };

  Entry* find(std::string_view key);
  const Entry* find(std::string_view key) const;
  std::string child_path(std::string_view key) const;
  static std::string unknown_enum_message(const std::string& value, const std::vector<std::string_view>& names);

  YAML::Node node_;
  std::string path_;
  int line_ = 0;
  ObjectContext& ctx_;
  bool indexed_ = false;
  std::vector<Entry> entries_;
};

}  // namespace sy::config::yaml
