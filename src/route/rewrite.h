// HTTPRewrite compiled against the match block it belongs to: the prefix to replace depends on
// which `uri` condition matched (Envoy prefix_rewrite semantics). Immutable; used by workers
// after routing to build the upstream ":path" / ":authority".
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "config/model/virtual_service.h"
#include "route/request_match.h"

namespace re2 {
class RE2;
}

namespace sy::route {

class PathRewrite {
 public:
  enum class Mode {
    kNone,       // path untouched
    kPrefix,     // replace the matched prefix (block had uri.prefix, or no uri: implicit "/")
    kWholePath,  // block matched uri exact/regex: replace the whole path
    kRegex,      // uriRegexRewrite: RE2 substitution on every match
  };
  static PathRewrite compile(const config::HTTPRewrite& rw, const RequestMatch& block, std::string* error = nullptr);
  PathRewrite() = default;

  // The new ":path" (query string kept), or nullopt when the path is not rewritten.
  std::optional<std::string> apply(std::string_view path_with_query) const;
  Mode mode() const { return mode_; }
  // Upstream authority override, empty when none.
  const std::string& authority() const { return authority_; }
  std::string describe() const;

 private:
  Mode mode_ = Mode::kNone;
  size_t prefix_len_ = 0;  // bytes of the matched prefix (ignoreUriCase keeps the length)
  std::string matched_prefix_;
  std::string replacement_;
  std::string authority_;
  std::shared_ptr<const re2::RE2> regex_;
};

}  // namespace sy::route
