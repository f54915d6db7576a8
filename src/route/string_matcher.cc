#include "route/string_matcher.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <cctype>

namespace sy::route {
namespace {

bool equal_ci(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

}  // namespace

StringMatcher StringMatcher::compile(const config::StringMatch& m, bool ignore_case, std::string* error) {
  StringMatcher out;
  out.kind_ = m.kind;
  out.value_ = m.value;
  out.ignore_case_ = ignore_case && (m.kind == Kind::kExact || m.kind == Kind::kPrefix);
  if (m.kind == Kind::kRegex) {
    RE2::Options opts;
    opts.set_log_errors(false);
    auto re = std::make_shared<const RE2>(m.value, opts);
    if (!re->ok()) {
      out.valid_ = false;
      if (error) *error = fmt::format("invalid regex \"{}\": {}", m.value, re->error());
    } else {
      out.regex_ = std::move(re);
    }
  }
  return out;
}

StringMatcher StringMatcher::exact(std::string value, bool ignore_case) {
  return compile({Kind::kExact, std::move(value)}, ignore_case);
}

StringMatcher StringMatcher::prefix(std::string value, bool ignore_case) {
  return compile({Kind::kPrefix, std::move(value)}, ignore_case);
}

StringMatcher StringMatcher::presence() { return StringMatcher{}; }

bool StringMatcher::matches(std::string_view v) const {
  switch (kind_) {
    case Kind::kPresent:
      return true;
    case Kind::kExact:
      return ignore_case_ ? equal_ci(v, value_) : v == value_;
    case Kind::kPrefix:
      if (v.size() < value_.size()) return false;
      return ignore_case_ ? equal_ci(v.substr(0, value_.size()), value_) : v.starts_with(value_);
    case Kind::kRegex:
      return regex_ && RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *regex_);
  }
  return false;
}

std::string StringMatcher::describe() const {
  const char* ci = ignore_case_ ? " (case-insensitive)" : "";
  switch (kind_) {
    case Kind::kPresent:
      return "present";
    case Kind::kExact:
      return fmt::format("exact \"{}\"{}", value_, ci);
    case Kind::kPrefix:
      return fmt::format("prefix \"{}\"{}", value_, ci);
    case Kind::kRegex:
      return fmt::format("regex \"{}\"{}", value_, valid_ ? "" : " (invalid, never matches)");
  }
  return "";
}

}  // namespace sy::route
