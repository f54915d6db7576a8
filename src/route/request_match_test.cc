#include "route/request_match.h"

#include <gtest/gtest.h>

#include "route/map_header_source.h"

namespace sy::route {
namespace {

using K = config::StringMatch::Kind;
config::StringMatch exact(const char* v) { return {K::kExact, v}; }
config::StringMatch prefix(const char* v) { return {K::kPrefix, v}; }
config::StringMatch regex(const char* v) { return {K::kRegex, v}; }
config::StringMatch present() { return {K::kPresent, ""}; }

struct Req {
  const char* method = "GET";
  const char* scheme = "http";
  const char* authority = "example.com";
  const char* path = "/";
  std::vector<std::pair<std::string, std::string>> headers = {};
};

bool matches(const config::HTTPMatchRequest& m, const Req& r, std::string* why = nullptr) {
  MapHeaderSource h(r.headers);
  RequestView v{r.method, r.scheme, r.authority, r.path, &h};
  RequestMatch compiled = RequestMatch::compile(m);
  auto failure = compiled.first_failure(v);
  if (why && failure) *why = *failure;
  EXPECT_EQ(compiled.matches(v), !failure.has_value()) << "fast and explain paths disagree";
  return compiled.matches(v);
}

// Scenario: every condition kind, alone, against matching and non-matching requests.
TEST(RequestMatch, ConditionsTable) {
  struct Case {
    const char* what;
    config::HTTPMatchRequest m;
    Req req;
    bool want;
  };
  auto with = [](auto f) {
    config::HTTPMatchRequest m;
    f(m);
    return m;
  };
  std::vector<Case> cases = {
      {"uri ignores query", with([](auto& m) { m.uri = exact("/p"); }), {.path = "/p?x=1"}, true},
      {"uri regex on path only", with([](auto& m) { m.uri = regex("/p"); }), {.path = "/p?x=1"}, true},
      {"ignoreUriCase prefix",
       with([](auto& m) {
         m.uri = prefix("/API");
         m.ignore_uri_case = true;
       }),
       {.path = "/api/x"},
       true},
      {"method exact case-sensitive", with([](auto& m) { m.method = exact("GET"); }), {.method = "get"}, false},
      {"scheme", with([](auto& m) { m.scheme = exact("https"); }), {.scheme = "http"}, false},
      {"authority as sent incl. port",
       with([](auto& m) { m.authority = exact("a.com:8080"); }),
       {.authority = "a.com:8080"},
       true},
      {"authority prefix", with([](auto& m) { m.authority = prefix("a.com"); }), {.authority = "a.com:8080"}, true},
      {"header exact",
       with([](auto& m) { m.headers["end-user"] = exact("jason"); }),
       {.headers = {{"End-User", "jason"}}},
       true},
      {"header missing", with([](auto& m) { m.headers["end-user"] = exact("jason"); }), {}, false},
      {"header present {}", with([](auto& m) { m.headers["x"] = present(); }), {.headers = {{"x", ""}}}, true},
      {"header multi-valued joined",
       with([](auto& m) { m.headers["x"] = exact("a,b"); }),
       {.headers = {{"x", "a"}, {"x", "b"}}},
       true},
      {"header regex full", with([](auto& m) { m.headers["x"] = regex("ab"); }), {.headers = {{"x", "abc"}}}, false},
      {"withoutHeaders absent ok", with([](auto& m) { m.without_headers["x"] = exact("foo"); }), {}, true},
      {"withoutHeaders value hit",
       with([](auto& m) { m.without_headers["x"] = exact("foo"); }),
       {.headers = {{"x", "foo"}}},
       false},
      {"withoutHeaders empty exact vs missing", with([](auto& m) { m.without_headers["x"] = exact(""); }), {}, false},
      {"withoutHeaders {} present",
       with([](auto& m) { m.without_headers["x"] = present(); }),
       {.headers = {{"x", "1"}}},
       false},
      {"withoutHeaders {} absent", with([](auto& m) { m.without_headers["x"] = present(); }), {}, true},
      {"query exact", with([](auto& m) { m.query_params["v"] = exact("2"); }), {.path = "/?a=1&v=2"}, true},
      {"query exact empty vs ?k", with([](auto& m) { m.query_params["k"] = exact(""); }), {.path = "/?k"}, true},
      {"query exact empty vs ?k=", with([](auto& m) { m.query_params["k"] = exact(""); }), {.path = "/?k="}, true},
      {"query {} present", with([](auto& m) { m.query_params["k"] = present(); }), {.path = "/?k=9"}, true},
      {"query missing", with([](auto& m) { m.query_params["k"] = present(); }), {.path = "/?kk=9"}, false},
      {"query regex full", with([](auto& m) { m.query_params["id"] = regex("\\d+$"); }), {.path = "/?id=a123"}, false},
      {"empty block", config::HTTPMatchRequest{}, {}, true},
  };
  for (const auto& c : cases) EXPECT_EQ(matches(c.m, c.req), c.want) << c.what;
}

// Scenario: header matches on Envoy's pseudo-headers read the request line and Host
// (docs/semantics.md §3): `:method`, `:authority` (Host as sent), `:path` (with the query) and
// `:scheme`; other `:`-names are never present; a real header of the same spelling is not
// consulted.
TEST(RequestMatch, PseudoHeadersTable) {
  struct Case {
    const char* what;
    const char* name;
    config::StringMatch sm;
    bool without;  // withoutHeaders instead of headers
    Req req;
    bool want;
  };
  std::vector<Case> cases = {
      {":method exact", ":method", exact("POST"), false, {.method = "POST"}, true},
      {":method other", ":method", exact("POST"), false, {.method = "GET"}, false},
      {":method case-sensitive", ":method", exact("post"), false, {.method = "POST"}, false},
      {":method regex", ":method", regex("GET|HEAD"), false, {.method = "HEAD"}, true},
      {":authority as sent with port", ":authority", exact("a.com:8080"), false, {.authority = "a.com:8080"}, true},
      {":authority prefix", ":authority", prefix("api."), false, {.authority = "api.a.com"}, true},
      {":authority present", ":authority", present(), false, {.authority = "a.com"}, true},
      {":authority absent without Host", ":authority", present(), false, {.authority = ""}, false},
      {":path includes query", ":path", exact("/p?x=1"), false, {.path = "/p?x=1"}, true},
      {":path exact without query misses", ":path", exact("/p"), false, {.path = "/p?x=1"}, false},
      {":path prefix", ":path", prefix("/api/"), false, {.path = "/api/v1?q"}, true},
      {":path regex full", ":path", regex("/p\\?x=\\d+"), false, {.path = "/p?x=12"}, true},
      {":scheme https", ":scheme", exact("https"), false, {.scheme = "https"}, true},
      {":scheme http", ":scheme", exact("https"), false, {.scheme = "http"}, false},
      {"unknown pseudo never present", ":protocol", present(), false, {}, false},
      {"header map not consulted for pseudo",
       ":method",
       exact("PUT"),
       false,
       {.method = "GET", .headers = {{":method", "PUT"}}},
       false},
      {"without :method", ":method", exact("OPTIONS"), true, {.method = "GET"}, true},
      {"without :method hit", ":method", exact("OPTIONS"), true, {.method = "OPTIONS"}, false},
      {"without :authority prefix", ":authority", prefix("internal."), true, {.authority = "internal.a"}, false},
      {"without unknown pseudo {} holds", ":foo", present(), true, {}, true},
  };
  for (const auto& c : cases) {
    config::HTTPMatchRequest m;
    (c.without ? m.without_headers : m.headers)[c.name] = c.sm;
    EXPECT_EQ(matches(m, c.req), c.want) << c.what;
  }
  std::string why;
  config::HTTPMatchRequest m;
  m.headers[":method"] = exact("POST");
  EXPECT_FALSE(matches(m, {.method = "GET"}, &why));
  EXPECT_EQ(why, "header \":method\": \"GET\" does not match exact \"POST\"");
}

// Scenario: `regex: "*"` in headers, withoutHeaders or queryParams is Istio's presence test, not
// RE2 (istio/istio pull request 20629): `withoutHeaders: {x: {regex: "*"}}` means "x absent"
// (docs/semantics.md §3).
TEST(RequestMatch, RegexStarIsPresenceTable) {
  struct Case {
    const char* what;
    config::HTTPMatchRequest m;
    Req req;
    bool want;
  };
  auto with = [](auto f) {
    config::HTTPMatchRequest m;
    f(m);
    return m;
  };
  std::vector<Case> cases = {
      {"withoutHeaders * absent", with([](auto& m) { m.without_headers["x"] = regex("*"); }), {}, true},
      {"withoutHeaders * present",
       with([](auto& m) { m.without_headers["x"] = regex("*"); }),
       {.headers = {{"x", "1"}}},
       false},
      {"withoutHeaders * present but empty",
       with([](auto& m) { m.without_headers["x"] = regex("*"); }),
       {.headers = {{"x", ""}}},
       false},
      {"headers * present", with([](auto& m) { m.headers["x"] = regex("*"); }), {.headers = {{"x", "v"}}}, true},
      {"headers * absent", with([](auto& m) { m.headers["x"] = regex("*"); }), {}, false},
      {"queryParams * present", with([](auto& m) { m.query_params["k"] = regex("*"); }), {.path = "/?k=1"}, true},
      {"queryParams * absent", with([](auto& m) { m.query_params["k"] = regex("*"); }), {.path = "/?j=1"}, false},
      {"withoutHeaders .* is a regex: absent matches empty",
       with([](auto& m) { m.without_headers["x"] = regex(".*"); }),
       {},
       false},
  };
  for (const auto& c : cases) EXPECT_EQ(matches(c.m, c.req), c.want) << c.what;
  config::HTTPMatchRequest m;
  m.without_headers["x"] = regex("*");
  std::vector<std::string> errors;
  RequestMatch compiled = RequestMatch::compile(m, &errors);
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(compiled.describe(), "header \"x\" absent");
}

// Scenario: all conditions of one block must hold (AND).
TEST(RequestMatch, ConditionsAreAnded) {
  config::HTTPMatchRequest m;
  m.uri = prefix("/v1");
  m.headers["user"] = exact("jason");
  EXPECT_TRUE(matches(m, {.path = "/v1/x", .headers = {{"user", "jason"}}}));
  EXPECT_FALSE(matches(m, {.path = "/v1/x", .headers = {{"user", "alice"}}}));
  EXPECT_FALSE(matches(m, {.path = "/v2", .headers = {{"user", "jason"}}}));
}

// Scenario: explain names the first failing condition in a human sentence.
TEST(RequestMatch, FirstFailureMessages) {
  std::string why;
  config::HTTPMatchRequest m;
  m.headers["user"] = exact("jason");
  EXPECT_FALSE(matches(m, {.headers = {{"user", "alice"}}}, &why));
  EXPECT_EQ(why, "header \"user\": \"alice\" does not match exact \"jason\"");

  config::HTTPMatchRequest u;
  u.uri = prefix("/v1");
  u.headers["user"] = exact("jason");
  EXPECT_FALSE(matches(u, {.path = "/foo?x", .headers = {{"user", "alice"}}}, &why));
  EXPECT_EQ(why, "uri \"/foo\" does not match prefix \"/v1\"");

  config::HTTPMatchRequest w;
  w.without_headers["debug"] = present();
  EXPECT_FALSE(matches(w, {.headers = {{"debug", "1"}}}, &why));
  EXPECT_EQ(why, "header \"debug\" is present (withoutHeaders requires it absent)");
}

// Scenario: catch-all detection follows Istio (no match, prefix "/", regex ".*", nothing else).
TEST(RequestMatch, CatchAll) {
  config::HTTPMatchRequest slash;
  slash.uri = prefix("/");
  EXPECT_TRUE(RequestMatch::compile(slash).is_catch_all());
  slash.headers["x"] = present();
  EXPECT_FALSE(RequestMatch::compile(slash).is_catch_all());
  config::HTTPMatchRequest any;
  any.uri = regex(".*");
  EXPECT_TRUE(RequestMatch::compile(any).is_catch_all());
  config::HTTPMatchRequest v1;
  v1.uri = prefix("/v1");
  EXPECT_FALSE(RequestMatch::compile(v1).is_catch_all());
  EXPECT_TRUE(RequestMatch::match_all().is_catch_all());
}

// Scenario: port, gateways, sourceLabels and sourceNamespace are decided at build time.
TEST(RequestMatch, BuildTimeExclusion) {
  std::vector<std::string> gws = {"istio-system/gw"};
  config::Labels labels = {{"app", "gateway"}};
  BuildScope scope{80, &gws, &labels, "istio-system"};
  config::HTTPMatchRequest m;
  EXPECT_FALSE(build_time_exclusion(m, "default", scope));
  m.port = 8080;
  EXPECT_TRUE(build_time_exclusion(m, "default", scope));
  m.port = 80;
  m.gateways = {"gw"};  // resolves to default/gw: not attached here
  EXPECT_TRUE(build_time_exclusion(m, "default", scope));
  m.gateways = {"istio-system/gw"};
  EXPECT_FALSE(build_time_exclusion(m, "default", scope));
  m.source_labels = {{"app", "other"}};
  EXPECT_TRUE(build_time_exclusion(m, "default", scope));
  m.source_labels = {{"app", "gateway"}};
  m.source_namespace = "default";
  EXPECT_TRUE(build_time_exclusion(m, "default", scope));
  m.source_namespace = "istio-system";
  EXPECT_FALSE(build_time_exclusion(m, "default", scope));
}

}  // namespace
}  // namespace sy::route
