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

// Scenario: redirect locations keep the query, honour scheme/authority/port, and omit default ports.
TEST(Redirect, Location) {
  struct Case {
    const char* what;
    config::HTTPRedirect r;
    std::optional<config::StringMatch> uri;
    const char* authority;
    const char* path;
    const char* want;
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
      {"derive default", redirect([](auto& r) {
         r.derive_port = config::HTTPRedirect::DerivePort::kFromProtocolDefault;
         r.scheme = "https";
       }),
       std::nullopt, "a.com:8080", "/p", "https://a.com/p"},
  };
  for (const auto& c : cases) {
    Redirect r = Redirect::compile(c.r, block_with_uri(c.uri));
    RequestView v{"GET", "http", c.authority, c.path, nullptr};
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
