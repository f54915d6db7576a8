#include "route/rewrite.h"

#include <fmt/format.h>
#include <re2/re2.h>

namespace sy::route {

PathRewrite PathRewrite::compile(const config::HTTPRewrite& rw, const RequestMatch& block, std::string* error) {
  PathRewrite out;
  out.authority_ = rw.authority;
  if (rw.uri_regex_rewrite) {
    RE2::Options opts;
    opts.set_log_errors(false);
    auto re = std::make_shared<const RE2>(rw.uri_regex_rewrite->match, opts);
    if (!re->ok()) {
      if (error) *error = fmt::format("uriRegexRewrite.match: {}", re->error());
      return out;
    }
    out.mode_ = Mode::kRegex;
    out.regex_ = std::move(re);
    out.replacement_ = rw.uri_regex_rewrite->rewrite;
    return out;
  }
  if (rw.uri.empty()) return out;
  out.replacement_ = rw.uri;
  const auto& uri = block.uri();
  if (!uri) {
    out.mode_ = Mode::kPrefix;
    out.matched_prefix_ = "/";
  } else if (uri->kind() == StringMatcher::Kind::kPrefix) {
    out.mode_ = Mode::kPrefix;
    out.matched_prefix_ = uri->value();
  } else {
    out.mode_ = Mode::kWholePath;
  }
  out.prefix_len_ = out.matched_prefix_.size();
  return out;
}

std::optional<std::string> PathRewrite::apply(std::string_view path_with_query) const {
  if (mode_ == Mode::kNone) return std::nullopt;
  size_t q = path_with_query.find('?');
  std::string_view path = path_with_query.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view{} : path_with_query.substr(q);
  std::string out;
  switch (mode_) {
    case Mode::kPrefix:
      out = replacement_;
      out.append(path.substr(std::min(prefix_len_, path.size())));
      break;
    case Mode::kWholePath:
      out = replacement_;
      break;
    case Mode::kRegex: {
      out.assign(path);
      RE2::GlobalReplace(&out, *regex_, replacement_);
      break;
    }
    case Mode::kNone:
      break;
  }
  out.append(query);
  return out;
}

std::string PathRewrite::describe() const {
  std::string s;
  switch (mode_) {
    case Mode::kNone:
      break;
    case Mode::kPrefix:
      s = fmt::format("uri prefix \"{}\" -> \"{}\"", matched_prefix_, replacement_);
      break;
    case Mode::kWholePath:
      s = fmt::format("uri -> \"{}\"", replacement_);
      break;
    case Mode::kRegex:
      s = fmt::format("uri regex \"{}\" -> \"{}\"", regex_ ? regex_->pattern() : "", replacement_);
      break;
  }
  if (!authority_.empty()) s += fmt::format("{}authority -> \"{}\"", s.empty() ? "" : ", ", authority_);
  return s;
}

}  // namespace sy::route
