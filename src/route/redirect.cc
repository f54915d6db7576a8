#include "route/redirect.h"

#include <fmt/format.h>

#include <charconv>

#include "config/hostname.h"

namespace sy::route {

std::optional<uint32_t> authority_port(std::string_view authority) {
  std::string_view host = config::strip_port(authority);
  if (host.size() + 1 >= authority.size()) return std::nullopt;
  std::string_view p = authority.substr(host.size() + 1);
  uint32_t port = 0;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (ec != std::errc{} || ptr != p.data() + p.size()) return std::nullopt;
  return port;
}

namespace {

bool is_default_port(std::string_view scheme, uint32_t port) {
  return (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
}

std::string with_port(std::string_view host, std::string_view scheme, std::optional<uint32_t> port) {
  if (!port || is_default_port(scheme, *port)) return std::string(host);
  return fmt::format("{}:{}", host, *port);
}

}  // namespace

Redirect Redirect::compile(const config::HTTPRedirect& r, const RequestMatch& block) {
  Redirect out;
  out.status_ = r.redirect_code.value_or(301);
  out.uri_ = r.uri;
  out.has_prefix_rewrite_ = !r.prefix_rewrite.empty();
  out.prefix_rewrite_ = r.prefix_rewrite;
  if (block.uri() && block.uri()->kind() == StringMatcher::Kind::kPrefix) out.matched_prefix_ = block.uri()->value();
  out.authority_ = r.authority;
  out.scheme_ = r.scheme;
  out.port_ = r.port;
  out.derive_port_ = r.derive_port;
  return out;
}

std::string Redirect::location(const RequestView& req) const {
  using DP = config::HTTPRedirect::DerivePort;
  std::string_view req_scheme = req.scheme.empty() ? std::string_view("http") : req.scheme;
  std::string_view scheme = scheme_.empty() ? req_scheme : std::string_view(scheme_);
  // Envoy's port_redirect, as pilot sets it: the configured port or the request's, never the
  // scheme's default (FROM_PROTOCOL_DEFAULT sets none).
  std::optional<uint32_t> port_redirect = port_;
  if (!port_redirect && derive_port_ == DP::kFromRequestPort && req.port != 0) port_redirect = req.port;
  if (port_redirect && is_default_port(scheme, *port_redirect)) port_redirect.reset();
  // Envoy's host: host_redirect verbatim, else the Host as sent, its port dropped when a port is
  // redirected or when the scheme changes and the port was the old scheme's default.
  std::string host(authority_.empty() ? req.authority : std::string_view(authority_));
  if (authority_.empty()) {
    const std::optional<uint32_t> host_port = authority_port(host);
    if (host_port && (port_redirect || (scheme != req_scheme && is_default_port(req_scheme, *host_port))))
      host = std::string(config::strip_port(host));
  }
  if (port_redirect) host += fmt::format(":{}", *port_redirect);

  std::string_view path = req.path_only();
  std::string_view query = req.query();
  std::string new_path;
  if (!uri_.empty()) {
    new_path = uri_;
  } else if (has_prefix_rewrite_) {
    new_path = prefix_rewrite_;
    new_path.append(path.substr(std::min(matched_prefix_.size(), path.size())));
  } else {
    new_path.assign(path);
  }
  if (!query.empty() && new_path.find('?') == std::string::npos) new_path += fmt::format("?{}", query);
  return fmt::format("{}://{}{}", scheme, host, new_path);
}

std::string Redirect::describe() const {
  std::string s = fmt::format("{}", status_);
  if (!scheme_.empty()) s += fmt::format(" scheme={}", scheme_);
  if (!authority_.empty()) s += fmt::format(" authority={}", authority_);
  if (port_) s += fmt::format(" port={}", *port_);
  if (derive_port_ == config::HTTPRedirect::DerivePort::kFromProtocolDefault) s += " port=FROM_PROTOCOL_DEFAULT";
  if (derive_port_ == config::HTTPRedirect::DerivePort::kFromRequestPort) s += " port=FROM_REQUEST_PORT";
  if (!uri_.empty()) s += fmt::format(" uri={}", uri_);
  if (has_prefix_rewrite_) s += fmt::format(" prefixRewrite \"{}\" -> \"{}\"", matched_prefix_, prefix_rewrite_);
  return s;
}

std::string https_redirect_location(const RequestView& req) {
  std::string_view host = config::strip_port(req.authority);
  std::optional<uint32_t> port = authority_port(req.authority);
  if (port == 80u) port.reset();
  return fmt::format("https://{}{}", with_port(host, "https", port), req.path.empty() ? "/" : req.path);
}

}  // namespace sy::route
