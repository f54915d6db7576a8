#include <gtest/gtest.h>

#include "route/redirect.h"
#include "route/rewrite.h"

namespace sy::route {
namespace {

using K = config::StringMatch::Kind;

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
      {"prefix", config::StringMatch{K::kPrefix, "/foo/"}, {.uri = "/"}, "/foo/bar?q=1", "/bar?q=1"},
      {"prefix no slash", config::StringMatch{K::kPrefix, "/foo"}, {.uri = "/v1"}, "/foo/bar", "/v1/bar"},
      {"no uri match", std::nullopt, {.uri = "/v1"}, "/foo", "/v1foo"},
      {"exact replaces whole", config::StringMatch{K::kExact, "/a"}, {.uri = "/b"}, "/a?x", "/b?x"},
      {"regex rewrite", std::nullopt,
       {.uri_regex_rewrite = config::RegexRewrite{"^/service/([^/]+)(/.*)$", "/customprefix\\2/\\1"}},
       "/service/update/v1/api", "/customprefix/v1/api/update"},
  };
  for (const auto& c : cases) {
    PathRewrite rw = PathRewrite::compile(c.rw, block_with_uri(c.uri));
    EXPECT_EQ(rw.apply(c.in).value_or("<none>"), c.want) << c.what;
  }
  EXPECT_FALSE(PathRewrite::compile({.authority = "x"}, RequestMatch::match_all()).apply("/a"));
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
      {"uri", {.uri = "/new"}, std::nullopt, "a.com", "/old?x=1", "http://a.com/new?x=1"},
      {"uri with query", {.uri = "/new?y"}, std::nullopt, "a.com", "/old?x=1", "http://a.com/new?y"},
      {"prefixRewrite", {.prefix_rewrite = "/"}, config::StringMatch{K::kPrefix, "/foo"}, "a.com", "/foo/baz", "http://a.com//baz"},
      {"authority", {.authority = "b.com"}, std::nullopt, "a.com:8080", "/p", "http://b.com/p"},
      {"scheme https drops :80", {.scheme = "https"}, std::nullopt, "a.com:80", "/p", "https://a.com/p"},
      {"port", {.port = 8443u, .scheme = "https"}, std::nullopt, "a.com", "/p", "https://a.com:8443/p"},
      {"derive default", {.derive_port = config::HTTPRedirect::DerivePort::kFromProtocolDefault, .scheme = "https"},
       std::nullopt, "a.com:8080", "/p", "https://a.com/p"},
  };
  for (const auto& c : cases) {
    Redirect r = Redirect::compile(c.r, block_with_uri(c.uri));
    RequestView v{"GET", "http", c.authority, c.path, nullptr};
    EXPECT_EQ(r.location(v), c.want) << c.what;
  }
  EXPECT_EQ(Redirect::compile({.uri = "/x", .redirect_code = 308u}, RequestMatch::match_all()).status(), 308u);
  EXPECT_EQ(https_redirect_location({"GET", "http", "a.com:80", "/p?q", nullptr}), "https://a.com/p?q");
  EXPECT_EQ(https_redirect_location({"GET", "http", "a.com:8080", "/p", nullptr}), "https://a.com:8080/p");
}

}  // namespace
}  // namespace sy::route
