// Config strings that switchyard writes into an HTTP message head (header operations, rewrite,
// redirect, CORS, the consistent-hash cookie) are refused when they carry CR, LF or NUL, and header
// names must be RFC 9110 tokens. YAML double-quoted escapes ("\r", "\n", "\0") put the raw bytes
// into the config, as a crafted or pasted file would.
#include <algorithm>

#include "config/diagnostics.h"
#include "config/hostname.h"
#include "config/validate_test_support.h"
#include "config/validate_wire.h"

namespace sy::config::testing {
namespace {

// A gateway-bound VS whose http rules are `rules` (written at column 0, starting with "- ").
std::string rule_vs(std::string_view rules) {
  return vs("hosts: [a.com]\ngateways: [gw]\nhttp:\n" + std::string(rules));
}

// A DR for `a` whose top-level loadBalancer is `lb` (written at column 0).
std::string lb_dr(std::string_view lb) {
  std::string indented;
  size_t start = lb.front() == '\n' ? 1 : 0;
  while (start < lb.size()) {
    size_t nl = lb.find('\n', start);
    indented += "    " + std::string(lb.substr(start, nl == std::string_view::npos ? nl : nl - start)) + "\n";
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return dr("host: a\ntrafficPolicy:\n  loadBalancer:\n" + indented);
}

// Scenario: header names and values in headers.request/response set/add/remove, at the rule and
// at a route destination, are refused when a name is not a token or a value holds CR, LF or NUL.
TEST(ValidateInjection, HeaderOperations) {
  run_table(
      {
          {"CRLF in a set value, LF in an add value, NUL in a response value",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  headers:
    request:
      set: {x-a: "ok\r\nX-Injected: 1"}
      add: {x-b: "line\nbreak"}
    response:
      set: {x-c: "nul\0byte"}
)y"),
           {{"spec.http[0].headers.request.set.x-a", "value of header \"x-a\" \"ok\\r\\nX-Injected: 1\" contains a CR"},
            {"spec.http[0].headers.request.add.x-b", "contains an LF (\\n): CR, LF and NUL are not allowed"},
            {"spec.http[0].headers.response.set.x-c", "contains a NUL (\\0)"}}},
          {"CRLF in a header name",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  headers:
    response:
      add: {"x-a\r\nSet-Cookie: s=1": v}
)y"),
           {{"spec.http[0].headers.response.add.x-a\r\nSet-Cookie: s=1",
             "header name \"x-a\\r\\nSet-Cookie: s=1\" is not a valid HTTP header name"}}},
          {"names that are not tokens: space, colon inside, '@', '(', non-ASCII",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  headers:
    request:
      set: {"x a": v, "x:y": v, "x@y": v}
      add: {"x(y)": v, "é": v}
)y"),
           {{"spec.http[0].headers.request.set.x a", "header name \"x a\" is not a valid HTTP header name"},
            {"spec.http[0].headers.request.set.x:y", "header name \"x:y\" is not a valid HTTP header name"},
            {"spec.http[0].headers.request.set.x@y", "is not a valid HTTP header name"},
            {"spec.http[0].headers.request.add.x(y)", "is not a valid HTTP header name"},
            {"spec.http[0].headers.request.add.é", "is not a valid HTTP header name"}}},
          {"remove names",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  headers:
    request:
      remove: [x-ok, "x-a\r\nb", "x y"]
    response:
      remove: ["x\0"]
)y"),
           {{"spec.http[0].headers.request.remove[1]", "header name \"x-a\\r\\nb\" is not a valid HTTP header name"},
            {"spec.http[0].headers.request.remove[2]", "header name \"x y\" is not a valid HTTP header name"},
            {"spec.http[0].headers.response.remove[0]", "header name \"x\\0\" is not a valid HTTP header name"}}},
          {"route destination headers are checked the same way",
           rule_vs(R"y(
- route:
  - destination: {host: a}
    headers:
      request:
        set: {"bad name": v}
      response:
        add: {x-d: "a\rb"}
        remove: ["x\n"]
)y"),
           {{"spec.http[0].route[0].headers.request.set.bad name", "is not a valid HTTP header name"},
            {"spec.http[0].route[0].headers.response.add.x-d", "contains a CR (\\r)"},
            {"spec.http[0].route[0].headers.response.remove[0]", "is not a valid HTTP header name"}}},
          {":authority set value with CRLF (it becomes the Host header)",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  headers:
    request:
      set: {":authority": "b.com\r\nX: y"}
)y"),
           {{"spec.http[0].headers.request.set.:authority", "value of header \":authority\""}}},
          {"every tchar, tabs, quotes and UTF-8 in values are fine",
           rule_vs(R"y(
- route:
  - destination: {host: a}
    headers:
      response:
        set: {"x-A_b.c~!#$%&'*+^`|9": "tab\there \"quoted\" é ✓", x-empty: ""}
  headers:
    request:
      add: {x-trace: "a=b; c=d, e"}
      remove: ["X-Upper_Case.ok"]
)y"),
           {}},
          {"a pseudo-header with a bad name is reported once, as a pseudo-header",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  headers:
    response:
      set: {":st atus": "200"}
)y"),
           {{"spec.http[0].headers.response.set.:st atus", "pseudo-header \":st atus\" cannot be modified"}}},
      },
      Run::kObjects);
}

// Scenario: rewrite.uri / authority / uriRegexRewrite.rewrite (request line and Host) and
// redirect.uri / prefixRewrite / authority (Location) refuse CR, LF, NUL, other control
// characters and spaces; a direct response body may hold any bytes.
TEST(ValidateInjection, RewriteRedirectAndBody) {
  run_table(
      {
          {"rewrite uri and authority",
           rule_vs(R"y(
- match:
  - uri: {prefix: /a}
  rewrite: {uri: "/b HTTP/1.1\r\nHost: evil", authority: "b.com\n"}
  route:
  - destination: {host: a}
- rewrite: {uri: "/with space"}
  route:
  - destination: {host: a}
- rewrite: {authority: "b.com\tx"}
  route:
  - destination: {host: a}
)y"),
           {{"spec.http[0].rewrite.uri", "rewrite uri \"/b HTTP/1.1\\r\\nHost: evil\" contains a CR (\\r)"},
            {"spec.http[0].rewrite.authority", "rewrite authority \"b.com\\n\" contains an LF"},
            {"spec.http[1].rewrite.uri", "contains a space, which is not allowed in a URI or authority"},
            {"spec.http[2].rewrite.authority", "contains a control character (\\t)"}}},
          {"uriRegexRewrite rewrite",
           rule_vs(R"y(
- rewrite:
    uriRegexRewrite: {match: "^/a(.*)", rewrite: "/b\\1\r\n"}
  route:
  - destination: {host: a}
)y"),
           {{"spec.http[0].rewrite.uriRegexRewrite.rewrite", "uriRegexRewrite rewrite"}}},
          {"redirect uri, prefixRewrite and authority",
           rule_vs(R"y(
- redirect: {uri: "/x\r\nSet-Cookie: a=b"}
- match:
  - uri: {prefix: /p}
  redirect: {prefixRewrite: "/q\0"}
- redirect: {authority: "b.com extra", scheme: https, redirectCode: 308}
)y"),
           {{"spec.http[0].redirect.uri", "redirect uri \"/x\\r\\nSet-Cookie: a=b\" contains a CR"},
            {"spec.http[1].redirect.prefixRewrite", "contains a NUL (\\0)"},
            {"spec.http[2].redirect.authority", "redirect authority \"b.com extra\" contains a space"}}},
          {"well-formed rewrite and redirect are fine",
           rule_vs(R"y(
- match:
  - uri: {prefix: /a}
  rewrite: {uri: "/b/%20?x=1&y=%0D", authority: "b.example.com:8080"}
  route:
  - destination: {host: a}
- redirect: {uri: "/c#frag", authority: "[::1]:8443", scheme: https}
)y"),
           {}},
          {"direct response bodies may hold CR, LF and NUL",
           rule_vs(R"y(
- match:
  - uri: {exact: /s}
  directResponse: {status: 200, body: {string: "line 1\r\nline 2\0end"}}
- directResponse: {status: 200, body: {bytes: "AA0KDQ=="}}
)y"),
           {}},
      },
      Run::kObjects);
}

// Scenario: CORS origins (compared with Origin, never able to match CR/LF/NUL) refuse those bytes;
// allowHeaders and exposeHeaders, joined into response headers, must be header-name tokens.
TEST(ValidateInjection, Cors) {
  run_table(
      {
          {"origins with line breaks",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  corsPolicy:
    allowOrigins:
    - exact: "https://a.com\r\nX: y"
    - prefix: "https://b\n"
    - regex: "https://.*\\.c\\.com"
    allowOrigin: ["https://d.com\r"]
)y"),
           {{"spec.http[0].corsPolicy.allowOrigins[0].exact", "allowOrigins exact \"https://a.com\\r\\nX: y\""},
            {"spec.http[0].corsPolicy.allowOrigins[1].prefix", "allowOrigins prefix \"https://b\\n\" contains an LF"},
            {"spec.http[0].corsPolicy.allowOrigin[0]", "allowOrigin \"https://d.com\\r\" contains a CR"}}},
          {"allow and expose headers must be tokens",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  corsPolicy:
    allowOrigins: [{exact: "https://a.com"}]
    allowMethods: [GET, POST]
    allowHeaders: ["*", x-custom, "x-a\r\nx-b"]
    exposeHeaders: [x-ok, "x-request-id, x-other", ""]
    maxAge: 24h
)y"),
           {{"spec.http[0].corsPolicy.allowHeaders[2]", "allowHeaders entry \"x-a\\r\\nx-b\" is not a valid HTTP"},
            {"spec.http[0].corsPolicy.exposeHeaders[1]", "exposeHeaders entry \"x-request-id, x-other\" is not"},
            {"spec.http[0].corsPolicy.exposeHeaders[2]", "header name cannot be empty"}}},
      },
      Run::kObjects);
}

// Scenario: the consistent-hash header name must be a token; the cookie name (written into
// Set-Cookie) a token, its path and attribute values free of control characters and ';'.
TEST(ValidateInjection, ConsistentHash) {
  run_table(
      {
          {"header name",
           lb_dr(R"y(
consistentHash: {httpHeaderName: "x-user\r\nx-b"}
)y"),
           {{"spec.trafficPolicy.loadBalancer.consistentHash.httpHeaderName",
             "httpHeaderName \"x-user\\r\\nx-b\" is not a valid HTTP header name"}}},
          {"header name with a space",
           lb_dr("consistentHash: {httpHeaderName: \"x user\"}\n"),
           {{"spec.trafficPolicy.loadBalancer.consistentHash.httpHeaderName", "is not a valid HTTP header name"}}},
          {"cookie name, path and attributes",
           lb_dr(R"y(
consistentHash:
  httpCookie:
    name: "s=1\r\nSet-Cookie: x"
    path: "/a;Domain=evil"
    ttl: 60s
    attributes:
    - {name: "Same Site", value: Lax}
    - {name: Secure, value: "x\r\n"}
)y"),
           {{"spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.name",
             "cookie name \"s=1\\r\\nSet-Cookie: x\" is not a valid cookie name"},
            {"spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.path",
             "cookie path \"/a;Domain=evil\" contains a ';', which is not allowed in a Set-Cookie attribute"},
            {"spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.attributes[0].name",
             "cookie attribute name \"Same Site\" is not a valid token"},
            {"spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.attributes[1].value", "contains a CR"}}},
          {"cookie path with a line break",
           lb_dr(R"y(
consistentHash:
  httpCookie: {name: session, path: "/\n", ttl: 0s}
)y"),
           {{"spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.path", "cookie path \"/\\n\" contains an LF"}}},
          {"well-formed header and cookie keys are fine",
           dr(R"y(
host: a
subsets:
- name: v1
  trafficPolicy:
    loadBalancer:
      consistentHash: {httpHeaderName: X-User_Id}
- name: v2
  trafficPolicy:
    loadBalancer:
      consistentHash:
        httpCookie:
          name: __Host-session.v2
          path: "/app path"
          ttl: 3600s
          attributes: [{name: SameSite, value: Strict}, {name: Secure}]
)y"),
           {}},
      },
      Run::kObjects);
}

// Scenario: a NUL after an IP address no longer lets a destination host or a CIDR pass as that
// address (inet_pton stops reading at the NUL).
TEST(ValidateInjection, NulAfterAnAddress) {
  EXPECT_TRUE(is_ip_address("10.0.0.1"));
  EXPECT_FALSE(is_ip_address(std::string_view("10.0.0.1\0evil", 13)));
  EXPECT_TRUE(detail::is_cidr("10.0.0.0/8"));
  EXPECT_FALSE(detail::is_cidr(std::string_view("10.0.0.1\0/8", 11)));
  run_table(
      {
          {"destination host",
           rule_vs(R"y(
- route:
  - destination: {host: "10.0.0.1\0\r\nX: y"}
)y"),
           {{"spec.http[0].route[0].destination.host", "invalid (label"}}},
      },
      Run::kObjects);
}

// Scenario: the character classes themselves: tokens are tchar only; field values lose only CR,
// LF and NUL; URIs also lose other control characters and spaces.
TEST(ValidateInjection, CharacterClasses) {
  using detail::find_ctl_or_space;
  using detail::find_line_breaker;
  using detail::is_http_token;
  EXPECT_TRUE(is_http_token("x-Request-ID"));
  EXPECT_TRUE(is_http_token("!#$%&'*+-.^_`|~09azAZ"));
  for (std::string_view bad :
       {"", "a b", "a:b", "a\"b", "a(b", "a,b", "a/b", "a;b", "a=b", "a@b", "a[b", "a{b", "a\tb", "a\x7f", "\xc3\xa9"})
    EXPECT_FALSE(is_http_token(bad)) << printable(bad);
  EXPECT_FALSE(is_http_token(std::string_view("a\0", 2)));
  EXPECT_EQ(find_line_breaker("tab\tand space are fine"), std::string_view::npos);
  EXPECT_EQ(find_line_breaker("a\rb"), 1u);
  EXPECT_EQ(find_line_breaker("ab\n"), 2u);
  EXPECT_EQ(find_line_breaker(std::string_view("a\0", 2)), 1u);
  EXPECT_EQ(find_ctl_or_space("/a/b?c=%20"), std::string_view::npos);
  EXPECT_EQ(find_ctl_or_space("/a b"), 2u);
  EXPECT_EQ(find_ctl_or_space("/a\x01"), 2u);
  EXPECT_EQ(find_ctl_or_space("/a\x7f"), 2u);
}

// Scenario: a diagnostic quoting a config string with CR/LF/NUL still prints as one line: control
// characters are escaped in every part of FILE:LINE: Kind ns/name: path: message.
TEST(ValidateInjection, DiagnosticsStayOnOneLine) {
  EXPECT_EQ(printable(std::string_view("a\r\nb\0c\td\x01\x7f é", 13)), "a\\r\\nb\\0c\\td\\x01\\x7f é");
  Diagnostic d;
  d.file = "f.yaml";
  d.line = 7;
  d.kind = "VirtualService";
  d.object = "default/x";
  d.path = "spec.http[0].headers.request.set.x\r\ny";
  d.message = "header name \"x\r\ny\" is not valid";
  EXPECT_EQ(d.to_string(),
            "f.yaml:7: VirtualService default/x: spec.http[0].headers.request.set.x\\r\\ny: "
            "header name \"x\\r\\ny\" is not valid");

  const std::string yaml = rule_vs(R"y(
- route:
  - destination: {host: a}
  headers:
    request:
      set: {"x\r\ny": "v\r\nw"}
)y");
  const int set_line = 1 + static_cast<int>(std::count(yaml.begin(), yaml.begin() + yaml.find("set:"), '\n'));
  LoadResult loaded = load_string(yaml, "case.yaml");
  ASSERT_TRUE(loaded.diagnostics.items().empty()) << dump(loaded.diagnostics);
  Diagnostics got;
  validate_virtual_service(loaded.config.virtual_services.at(0), got);
  ASSERT_EQ(got.items().size(), 2u) << dump(got);
  for (const auto& item : got.items()) {
    EXPECT_EQ(item.line, set_line) << item.to_string();  // the line of the `set:` entry, not the rule's
    EXPECT_EQ(item.to_string().find_first_of("\r\n"), std::string::npos) << item.to_string();
    EXPECT_EQ(item.message.find_first_of(std::string_view("\r\n\0", 3)), std::string::npos) << item.to_string();
  }
}

}  // namespace
}  // namespace sy::config::testing
