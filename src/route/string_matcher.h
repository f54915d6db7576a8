// A compiled istio StringMatch (exact / prefix / RE2 full match / presence). Built once per
// snapshot; const-only afterwards, so any number of worker threads may call matches()
// concurrently (RE2 matching on a const object is thread-safe).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "config/model/common.h"

namespace re2 {
class RE2;
}

namespace sy::route {

class StringMatcher {
 public:
  using Kind = config::StringMatch::Kind;

  // `ignore_case` makes exact/prefix ASCII case-insensitive (uri with ignoreUriCase); regex is
  // unaffected, as in Istio (use `(?i)` in the pattern). On a bad regex returns a matcher that
  // never matches and sets `error` (the validator normally rejects such objects first).
  static StringMatcher compile(const config::StringMatch& m, bool ignore_case = false, std::string* error = nullptr);
  static StringMatcher exact(std::string value, bool ignore_case = false);
  static StringMatcher prefix(std::string value, bool ignore_case = false);
  static StringMatcher presence();

  // `value` of a present input. A presence matcher matches any value.
  bool matches(std::string_view value) const;

  Kind kind() const { return kind_; }
  const std::string& value() const { return value_; }  // the pattern as written
  bool ignore_case() const { return ignore_case_; }
  bool is_presence() const { return kind_ == Kind::kPresent; }
  bool valid() const { return valid_; }
  // `exact "jason"`, `prefix "/v1" (case-insensitive)`, `regex "^a.*"`, `present`.
  std::string describe() const;

 private:
  Kind kind_ = Kind::kPresent;
  std::string value_;
  bool ignore_case_ = false;
  bool valid_ = true;
  std::shared_ptr<const re2::RE2> regex_;  // shared so compiled matchers stay cheap to copy
};

}  // namespace sy::route
