#include <gtest/gtest.h>

#include "route/redirect.h"
#include "route/rewrite.h"

namespace sy::route {
namespace {

using K = config::StringMatch::Kind;

config::HTTPRewrite rewrite_uri(const char* uri) {
  config::HTTPRewrite r;
  r.uri = uri;
  return r;
}
config::HTTPRewrite rewrite_regex(const char* match, const char* replacement) {
  config::HTTPRewrite r;
  r.uri_regex_rewrite = config::RegexRewrite{match, replacement};
  return r;
}
// Builds an HTTPRedirect from field setters, e.g. redirect([](auto& r) { r.uri = "/x"; }).
template <typename F>
config::HTTPRedirect redirect(F f) {
  config::HTTPRedirect r;
  f(r);
  return r;
}

RequestMatch block_with_uri(std::optional<config::StringMatch> uri) {
  config::HTTPMatchRequest m;
  m.uri = uri;
  return RequestMatch::compile(m);
}

// Scenario: rewrite.uri replaces what the block matched (Envoy prefix_rewrite semantics).
TEST(PathRewrite, Table) {
  struct Case {
    const char* what;
    std::optional<config::StringMatch> uri;
    config::HTTPRewrite rw;
    const char* in;
    const char* want;
  } cases[] = {
      {"prefix", config::StringMatch{K::kPrefix, "/foo/"}, rewrite_uri("/"), "/foo/bar?q=1", "/bar?q=1"},
      {"prefix no slash", config::StringMatch{K::kPrefix, "/foo"}, rewrite_uri("/v1"), "/foo/bar", "/v1/bar"},
      {"no uri match", std::nullopt, rewrite_uri("/v1"), "/foo", "/v1foo"},
      {"exact replaces whole", config::StringMatch{K::kExact, "/a"}, rewrite_uri("/b"), "/a?x", "/b?x"},
      {"regex rewrite", std::nullopt, rewrite_regex("^/service/([^/]+)(/.*)$", "/customprefix\\2/\\1"),
       "/service/update/v1/api", "/customprefix/v1/api/update"},
  };
  for (const auto& c : cases) {
    PathRewrite rw = PathRewrite::compile(c.rw, block_with_uri(c.uri));
    EXPECT_EQ(rw.apply(c.in).value_or("<none>"), c.want) << c.what;
  }
  config::HTTPRewrite authority_only;
  authority_only.authority = "x";
  EXPECT_FALSE(PathRewrite::compile(authority_only, RequestMatch::match_all()).apply("/a"));
}

// Scenario: redirect locations as pilot configures Envoy and Envoy builds them: the query kept,
// scheme/authority/port honoured, a configured or derived port left out when it is the scheme's
// default, the Host's own port kept unless a port is redirected or the scheme change makes it the
// old default; FROM_REQUEST_PORT is the port the request was addressed to (here 8080, or 80).
TEST(Redirect, Location) {
  using DP = config::HTTPRedirect::DerivePort;
  struct Case {
    const char* what;
    config::HTTPRedirect r;
    std::optional<config::StringMatch> uri;
    const char* authority;
    const char* path;
    const char* want;
    uint32_t request_port = 8080;
  } cases[] = {
      {"uri", redirect([](auto& r) { r.uri = "/new"; }), std::nullopt, "a.com", "/old?x=1", "http://a.com/new?x=1"},
      {"uri with query", redirect([](auto& r) { r.uri = "/new?y"; }), std::nullopt, "a.com", "/old?x=1",
       "http://a.com/new?y"},
      {"prefixRewrite", redirect([](auto& r) { r.prefix_rewrite = "/"; }), config::StringMatch{K::kPrefix, "/foo"},
       "a.com", "/foo/baz", "http://a.com//baz"},
      {"authority", redirect([](auto& r) { r.authority = "b.com"; }), std::nullopt, "a.com:8080", "/p",
       "http://b.com/p"},
      {"scheme https drops :80", redirect([](auto& r) { r.scheme = "https"; }), std::nullopt, "a.com:80", "/p",
       "https://a.com/p"},
      {"port", redirect([](auto& r) {
         r.port = 8443u;
         r.scheme = "https";
       }),
       std::nullopt, "a.com", "/p", "https://a.com:8443/p"},
      {"FROM_PROTOCOL_DEFAULT sets no port: Envoy keeps the Host's 8080", redirect([](auto& r) {
         r.derive_port = DP::kFromProtocolDefault;
         r.scheme = "https";
       }),
       std::nullopt, "a.com:8080", "/p", "https://a.com:8080/p"},
      {"FROM_PROTOCOL_DEFAULT drops the old scheme's default", redirect([](auto& r) {
         r.derive_port = DP::kFromProtocolDefault;
         r.scheme = "https";
       }),
       std::nullopt, "a.com:80", "/p", "https://a.com/p"},
      {"FROM_REQUEST_PORT is the listener's port, not the Host's", redirect([](auto& r) {
         r.derive_port = DP::kFromRequestPort;
         r.uri = "/n";
       }),
       std::nullopt, "a.com:9999", "/p", "http://a.com:8080/n"},
      {"FROM_REQUEST_PORT of 80 on http is left out; the Host's :80 stays", redirect([](auto& r) {
         r.derive_port = DP::kFromRequestPort;
         r.uri = "/n";
       }),
       std::nullopt, "a.com:80", "/p", "http://a.com:80/n", 80},
      {"FROM_REQUEST_PORT 80 with https written", redirect([](auto& r) {
         r.derive_port = DP::kFromRequestPort;
         r.scheme = "https";
       }),
       std::nullopt, "a.com", "/p", "https://a.com:80/p", 80},
      {"explicit default port left out", redirect([](auto& r) {
         r.port = 443u;
         r.scheme = "https";
       }),
       std::nullopt, "a.com:8443", "/p", "https://a.com:8443/p"},
      {"a Host :80 with no change is kept", redirect([](auto& r) { r.uri = "/n"; }), std::nullopt, "a.com:80", "/p",
       "http://a.com:80/n"},
      {"authority with its own port", redirect([](auto& r) { r.authority = "b.com:9000"; }), std::nullopt, "a.com",
       "/p", "http://b.com:9000/p"},
  };
  for (const auto& c : cases) {
    Redirect r = Redirect::compile(c.r, block_with_uri(c.uri));
    RequestView v{"GET", "http", c.authority, c.path, nullptr, c.request_port};
    EXPECT_EQ(r.location(v), c.want) << c.what;
  }
  EXPECT_EQ(Redirect::compile(redirect([](auto& r) {
                                r.uri = "/x";
                                r.redirect_code = 308u;
                              }),
                              RequestMatch::match_all())
                .status(),
            308u);
  EXPECT_EQ(https_redirect_location({"GET", "http", "a.com:80", "/p?q", nullptr}), "https://a.com/p?q");
  EXPECT_EQ(https_redirect_location({"GET", "http", "a.com:8080", "/p", nullptr}), "https://a.com:8080/p");
}

}  // namespace
}  // namespace sy::route
