// Field path -> line of one object, kept for FILE:LINE diagnostics after parsing (validation,
// analysis, compile warnings, explain). Kept compact because every loaded object carries one for
// as long as it is in force: a 10,000-VirtualService config held ~49 hash entries per object
// (~40 MiB) as one std::unordered_map<std::string, int> each. Here the path text lives once per
// file in a shared PathNames table, and an object keeps 8-byte (path id, line) pairs.
//
// Threads: the loader fills both while it parses one file (one thread); afterwards they are only
// read, from any thread (a snapshot's config is read by the admin thread). A later load makes a
// new PathNames table, so a table is never appended to once the objects holding it are shared.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sy::config {

// Interned field paths ("spec.http[0].route"): one per file parsed, shared by its objects.
class PathNames {
 public:
  uint32_t intern(std::string_view path);
  std::optional<uint32_t> find(std::string_view path) const;
  std::string_view name(uint32_t id) const { return names_[id]; }
  size_t size() const { return names_.size(); }

 private:
  std::deque<std::string> names_;  // stable addresses: ids_ keys view into them
  std::unordered_map<std::string_view, uint32_t> ids_;
};

class PathLines {
 public:
  PathLines() = default;
  // Interns into `names` (the table of the file being parsed); null: a table of its own.
  explicit PathLines(std::shared_ptr<PathNames> names) : names_(std::move(names)) {}

  // Records the line of `path`; the first line recorded for a path stays.
  void record(std::string_view path, int line);
  std::optional<int> find(std::string_view path) const;
  // The line of `path`; throws std::out_of_range when it was not recorded (as map::at does).
  int at(std::string_view path) const;
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // Gives back spare capacity once the object is parsed (it is kept as long as it is in force).
  void shrink_to_fit() { entries_.shrink_to_fit(); }

  // f(std::string_view path, int line) for every recorded path, in no particular order.
  template <class F>
  void for_each(F&& f) const {
    for (const Entry& e : entries_) f(names_->name(e.id), static_cast<int>(e.line));
  }

 private:
  struct Entry {
    uint32_t id = 0;
    int32_t line = 0;
  };
  std::shared_ptr<PathNames> names_;
  std::vector<Entry> entries_;  // sorted by id
};

}  // namespace sy::config
