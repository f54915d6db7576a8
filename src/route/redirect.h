// HTTPRedirect compiled against its match block, plus the Gateway `httpsRedirect` location.
// Immutable; workers call location() to build the `location` header of the 3xx they answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/model/virtual_service.h"
#include "route/request_match.h"
#include "route/request_view.h"

namespace sy::route {

class Redirect {
 public:
  static Redirect compile(const config::HTTPRedirect& r, const RequestMatch& block);
  Redirect() = default;

  uint32_t status() const { return status_; }
  // Absolute URL for the `location` header, as pilot configures Envoy and Envoy builds it
  // (docs/semantics.md §4): a port from `port` or derivePort FROM_REQUEST_PORT (the port the
  // request was addressed to) is left out when it is the scheme's default; without one, the Host's
  // own port stays unless a scheme change makes it the old scheme's default (http://h:80 ->
  // https://h). `authority` replaces host and port. The original query string is kept unless the
  // new uri carries its own "?".
  std::string location(const RequestView& req) const;
  std::string describe() const;

 private:
  uint32_t status_ = 301;
  std::string uri_;             // whole-path replacement
  std::string prefix_rewrite_;  // replaces the matched prefix
  std::string matched_prefix_ = "/";
  bool has_prefix_rewrite_ = false;
  std::string authority_;
  std::string scheme_;
  std::optional<uint32_t> port_;
  config::HTTPRedirect::DerivePort derive_port_ = config::HTTPRedirect::DerivePort::kNone;
};

// Location for a Gateway server with `tls.httpsRedirect: true`: same host (port 80 dropped,
// other ports kept) and path, scheme https.
std::string https_redirect_location(const RequestView& req);

// The port in an authority ("a:8080" -> 8080), nullopt when absent or malformed.
std::optional<uint32_t> authority_port(std::string_view authority);

}  // namespace sy::route
