#include "http/http1/request_target.h"

#include "http/header_map.h"

namespace sy::http::h1 {
namespace {

// host[:port] with no userinfo, path or whitespace. The character set of the host itself is the
// router's business; here we only make sure the split is unambiguous.
bool valid_authority(std::string_view a) noexcept {
  if (a.empty()) return false;
  for (char c : a) {
    if (c == '@' || c == '/' || c == '?' || c == '#' || c == '\\') return false;
  }
  return true;
}

}  // namespace

SplitTarget split_target(std::string_view target, Method method) noexcept {
  SplitTarget out;
  if (target.empty()) return out;
  if (method == Method::Connect) {
    out.form = TargetForm::Authority;
    out.authority = target;
    out.ok = valid_authority(target) && target.find(':') != std::string_view::npos;
    return out;
  }
  if (target.front() == '/') {
    out.form = TargetForm::Origin;
    out.path = target;
    out.ok = true;
    return out;
  }
  if (target == "*") {
    out.form = TargetForm::Asterisk;
    out.path = target;
    out.ok = method == Method::Options;
    return out;
  }
  const std::size_t sep = target.find("://");
  if (sep == std::string_view::npos) return out;
  out.form = TargetForm::Absolute;
  out.scheme = target.substr(0, sep);
  if (!iequals(out.scheme, "http") && !iequals(out.scheme, "https")) return out;
  const std::string_view rest = target.substr(sep + 3);
  const std::size_t end = rest.find_first_of("/?");
  out.authority = rest.substr(0, end);
  out.path = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  out.ok = valid_authority(out.authority);
  return out;
}

}  // namespace sy::http::h1
