#include "config/model/path_lines.h"

#include <algorithm>
#include <stdexcept>

namespace sy::config {

uint32_t PathNames::intern(std::string_view path) {
  if (auto it = ids_.find(path); it != ids_.end()) return it->second;
  const auto id = static_cast<uint32_t>(names_.size());
  names_.emplace_back(path);
  ids_.emplace(names_.back(), id);
  return id;
}

std::optional<uint32_t> PathNames::find(std::string_view path) const {
  if (auto it = ids_.find(path); it != ids_.end()) return it->second;
  return std::nullopt;
}

void PathLines::record(std::string_view path, int line) {
  if (!names_) names_ = std::make_shared<PathNames>();
  const uint32_t id = names_->intern(path);
  // Objects of one file mostly meet their paths in the order the file's first object did, so
  // ids arrive nearly sorted and the insert is almost always at the end.
  auto it = std::lower_bound(entries_.begin(), entries_.end(), id, [](const Entry& e, uint32_t v) { return e.id < v; });
  if (it != entries_.end() && it->id == id) return;
  entries_.insert(it, Entry{id, static_cast<int32_t>(line)});
}

std::optional<int> PathLines::find(std::string_view path) const {
  if (!names_) return std::nullopt;
  const auto id = names_->find(path);
  if (!id) return std::nullopt;
  auto it = std::lower_bound(entries_.begin(), entries_.end(), *id, [](const Entry& e, uint32_t v) { return e.id < v; });
  if (it == entries_.end() || it->id != *id) return std::nullopt;
  return it->line;
}

int PathLines::at(std::string_view path) const {
  if (auto line = find(path)) return *line;
  throw std::out_of_range("no line recorded for " + std::string(path));
}

}  // namespace sy::config
