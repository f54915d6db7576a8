#include "http/http1/request_target.h"

#include <gtest/gtest.h>

namespace sy::http::h1 {
namespace {

// Scenario: each request-target form splits into the parts routing needs, or is refused.
TEST(RequestTarget, Split) {
  struct Case {
    const char* target;
    Method method;
    bool ok;
    TargetForm form;
    const char* scheme;
    const char* authority;
    const char* path;
  } cases[] = {
      {"/a/b?c=d", Method::Get, true, TargetForm::Origin, "", "", "/a/b?c=d"},
      {"http://h:81/x", Method::Get, true, TargetForm::Absolute, "http", "h:81", "/x"},
      {"HTTPS://h/", Method::Post, true, TargetForm::Absolute, "HTTPS", "h", "/"},
      {"http://h", Method::Get, true, TargetForm::Absolute, "http", "h", ""},
      {"http://h?x", Method::Get, true, TargetForm::Absolute, "http", "h", "?x"},
      {"http:///x", Method::Get, false, TargetForm::Absolute, "http", "", "/x"},
      {"http://u:p@h/", Method::Get, false, TargetForm::Absolute, "http", "u:p@h", "/"},
      {"ws://h/", Method::Get, false, TargetForm::Absolute, "ws", "", ""},
      {"h:443", Method::Connect, true, TargetForm::Authority, "", "h:443", ""},
      {"h", Method::Connect, false, TargetForm::Authority, "", "h", ""},
      {"*", Method::Options, true, TargetForm::Asterisk, "", "", "*"},
      {"*", Method::Get, false, TargetForm::Asterisk, "", "", "*"},
      {"relative/path", Method::Get, false, TargetForm::Origin, "", "", ""},
  };
  for (const auto& c : cases) {
    const SplitTarget t = split_target(c.target, c.method);
    EXPECT_EQ(t.ok, c.ok) << c.target;
    if (!c.ok) continue;
    EXPECT_EQ(t.form, c.form) << c.target;
    EXPECT_EQ(t.scheme, c.scheme) << c.target;
    EXPECT_EQ(t.authority, c.authority) << c.target;
    EXPECT_EQ(t.path, c.path) << c.target;
  }
}

}  // namespace
}  // namespace sy::http::h1
