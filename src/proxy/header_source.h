// Adapts the codec's HeaderMap to the route matcher's HeaderSource. Repeated fields are joined
// with "," (what Envoy matches against); only that rare case allocates.
#pragma once

#include <deque>
#include <string>

#include "http/header_map.h"
#include "route/request_view.h"

namespace sy::proxy {

class HeaderMapSource final : public route::HeaderSource {
 public:
  explicit HeaderMapSource(const http::HeaderMap& headers) : headers_(headers) {}

  std::optional<std::string_view> get(std::string_view lowercase_name) const override {
    const size_t n = headers_.count(lowercase_name);
    if (n <= 1) return headers_.get(lowercase_name);
    std::string& joined = joined_.emplace_back();  // deque: earlier views stay valid
    for (std::string_view v : headers_.values(lowercase_name)) {
      if (!joined.empty()) joined += ',';
      joined += v;
    }
    return std::string_view(joined);
  }

 private:
  const http::HeaderMap& headers_;
  mutable std::deque<std::string> joined_;
};

}  // namespace sy::proxy
