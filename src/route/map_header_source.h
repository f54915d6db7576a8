// A HeaderSource over an owned list of (name, value) pairs, for explain and tests (the data
// plane adapts its own header map instead). Repeated names are joined with "," as Envoy does.
// Not thread-safe to build; read-only afterwards.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "config/hostname.h"
#include "route/request_view.h"

namespace sy::route {

class MapHeaderSource final : public HeaderSource {
 public:
  MapHeaderSource() = default;
  explicit MapHeaderSource(const std::vector<std::pair<std::string, std::string>>& headers) {
    for (const auto& [k, v] : headers) add(k, v);
  }
  void add(const std::string& name, const std::string& value) {
    auto [it, inserted] = values_.try_emplace(config::lower(name), value);
    if (!inserted) it->second += "," + value;
  }

  // HeaderSource
  std::optional<std::string_view> get(std::string_view lowercase_name) const override {
    auto it = values_.find(lowercase_name);
    if (it == values_.end()) return std::nullopt;
    return std::string_view(it->second);
  }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace sy::route
