#include "proxy/hash_key.h"

#include <gtest/gtest.h>

namespace sy::proxy {
namespace {

policy::ConsistentHashPolicy cookie_policy(std::string path, Duration ttl,
                                           std::vector<std::pair<std::string, std::string>> attributes) {
  policy::ConsistentHashPolicy p;
  p.key = policy::ConsistentHashPolicy::Key::kCookie;
  p.name = "sticky";
  p.cookie_path = std::move(path);
  p.cookie_ttl = ttl;
  p.cookie_generate = true;
  p.cookie_attributes = std::move(attributes);
  return p;
}

// Scenario: the Set-Cookie generated for a missing hash cookie, laid out as Envoy writes it:
// value, Max-Age, Path, then httpCookie.attributes in order (a valueless one as a bare name), HttpOnly.
TEST(HashKey, GeneratedCookieLayout) {
  struct Case {
    const char* name;
    policy::ConsistentHashPolicy policy;
    const char* want_suffix;  // everything after the quoted value
  } cases[] = {
      {"session cookie, no path", cookie_policy("", Duration{0}, {}), "; HttpOnly"},
      {"ttl and path", cookie_policy("/app", std::chrono::seconds(3600), {}), "; Max-Age=3600; Path=/app; HttpOnly"},
      {"attributes with and without value",
       cookie_policy("/", std::chrono::seconds(60), {{"SameSite", "Strict"}, {"Secure", ""}}),
       "; Max-Age=60; Path=/; SameSite=Strict; Secure; HttpOnly"},
      {"attributes keep their order", cookie_policy("", std::chrono::seconds(1), {{"b", "2"}, {"a", "1"}}),
       "; Max-Age=1; b=2; a=1; HttpOnly"},
  };
  for (const auto& c : cases) {
    http::RequestHead head;
    HashKey key = extract_hash_key(c.policy, head, "10.0.0.1", "10.0.0.1:4000");
    ASSERT_TRUE(key.hash.has_value()) << c.name;
    const std::string& sc = key.set_cookie;
    ASSERT_EQ(sc.rfind("sticky=\"", 0), 0u) << c.name << ": " << sc;
    size_t close = sc.find('"', 8);
    ASSERT_NE(close, std::string::npos) << c.name;
    EXPECT_EQ(sc.substr(close + 1), c.want_suffix) << c.name;
  }
}

// Scenario: a request that already carries the cookie is hashed by it and gets no Set-Cookie.
TEST(HashKey, PresentCookieIsUsed) {
  http::RequestHead head;
  head.headers.add("cookie", "a=1; sticky=\"abc\"");
  auto p = cookie_policy("/", std::chrono::seconds(60), {{"Secure", ""}});
  HashKey one = extract_hash_key(p, head, "10.0.0.1", "10.0.0.1:1");
  HashKey two = extract_hash_key(p, head, "10.0.0.2", "10.0.0.2:2");
  EXPECT_TRUE(one.set_cookie.empty());
  ASSERT_TRUE(one.hash && two.hash);
  EXPECT_EQ(*one.hash, *two.hash);
}

}  // namespace
}  // namespace sy::proxy
