// HTTPRoute webhook checks: actions, matches, redirect/rewrite, retries, faults, mirrors, CORS.
#include "config/validate_test_support.h"

namespace sy::config::testing {
namespace {

// A gateway-bound VS whose single http rule is `rule` (written at column 0, starting with "- ").
std::string rule_vs(std::string_view rule) { return vs("hosts: [a.com]\ngateways: [gw]\nhttp:\n" + std::string(rule)); }

// Scenario: a rule needs exactly one action, and incompatible combinations are rejected.
TEST(ValidateHttpRoute, Actions) {
  run_table(
      {
          {"no action",
           rule_vs("- match:\n  - uri: {prefix: /a}\n"),
           {{"spec.http[0]", "HTTP route, redirect or direct_response is required"}}},
          {"route and redirect",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  redirect: {uri: /b}
  rewrite: {uri: /c}
  fault: {abort: {httpStatus: 500, percentage: {value: 1}}}
)y"),
           {{"spec.http[0]", "HTTP route cannot contain both route and redirect"},
            {"spec.http[0]", "HTTP route cannot contain both fault and redirect"},
            {"spec.http[0]", "HTTP route rule cannot contain both rewrite and redirect"}}},
          {"redirect and direct response",
           rule_vs(R"y(
- redirect: {authority: b.com}
  directResponse: {status: 200}
)y"),
           {{"spec.http[0]", "HTTP route cannot contain both redirect and direct_response"}}},
          {"redirect needs something, uri xor prefixRewrite",
           rule_vs(R"y(
- redirect: {redirectCode: 302}
- redirect: {uri: /a, prefixRewrite: /b}
)y"),
           {{"spec.http[0].redirect",
             "redirect must specify URI, prefixRewrite, authority, scheme, port or derivePort"},
            {"spec.http[1].redirect", "redirect may only specify one of uri or prefix_rewrite"}}},
          {"redirect code and scheme",
           rule_vs(R"y(
- redirect: {uri: /a, redirectCode: 304, scheme: ftp}
- redirect: {uri: /a, redirectCode: 200}
)y"),
           {warn("spec.http[0].redirect.redirectCode", "redirect code 304 is not supported"),
            {"spec.http[0].redirect.scheme", "invalid redirect scheme, must be http or https"},
            {"spec.http[1].redirect.redirectCode", "200 is not a valid redirect code, must be 3xx"}}},
          {"direct response status and body",
           rule_vs(R"y(
- directResponse: {status: 600}
- directResponse: {status: 503, body: {string: "unavailable"}}
)y"),
           {{"spec.http[0].directResponse.status", "HTTP status 600 is not in range 200-599"}}},
          {"delegate with route, delegate missing name",
           rule_vs(R"y(
- delegate: {name: d}
  route:
  - destination: {host: a}
- delegate: {namespace: Bad_NS}
)y"),
           {{"spec.http[0]", "HTTP route cannot contain both route and delegate"},
            {"spec.http[1].delegate.name", "delegate name is required"},
            {"spec.http[1].delegate.namespace", "delegate namespace \"Bad_NS\" is invalid"}}},
          {"delegate inside delegate",
           vs(R"y(
http:
- delegate: {name: d}
)y"),
           {{"spec.http[0].delegate", "delegate virtual service cannot delegate again"}}},
          {"mirror and mirrors",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  mirror: {host: b}
  mirrorPercentage: {value: 150}
  mirrors:
  - destination: {host: c}
    percentage: {value: 101}
)y"),
           {{"spec.http[0]", "HTTP route cannot contain both mirror and mirrors"},
            {"spec.http[0].mirrorPercentage", "mirror_percentage must have a max value of 100"},
            {"spec.http[0].mirrors[0].percentage", "mirror percentage must have a max value of 100"}}},
      },
      Run::kObjects);
}

// Scenario: large direct-response bodies warn above 100 KiB and fail above 1 MiB.
TEST(ValidateHttpRoute, DirectResponseBodySize) {
  std::string medium(200 * 1024, 'x');
  std::string large(1100 * 1024, 'x');
  run_table(
      {{"200KiB body",
        rule_vs("- directResponse:\n    status: 200\n    body: {string: \"" + medium + "\"}\n"),
        {warn("spec.http[0].directResponse.body", "large direct_responses may impact control plane performance")}},
       {"1.1MiB body",
        rule_vs("- directResponse:\n    status: 200\n    body: {string: \"" + large + "\"}\n"),
        {{"spec.http[0].directResponse.body", "must be less than 1MB"}}}},
      Run::kObjects);
}

// Scenario: match blocks — regex syntax, empty prefixes, header case, empty match.
TEST(ValidateHttpRoute, Matches) {
  run_table(
      {
          {"bad regex",
           rule_vs(R"y(
- match:
  - uri: {regex: "/api(?!/internal)"}
  route:
  - destination: {host: a}
)y"),
           {{"spec.http[0].match[0].uri.regex", "\"uri\": error parsing regexp:"}}},
          {"regex too long",
           rule_vs("- match:\n  - uri: {regex: \"" + std::string(1100, 'a') +
                   "\"}\n  route:\n  - destination: {host: a}\n"),
           {{"spec.http[0].match[0].uri.regex", "regex is too large, max length allowed is 1024"}}},
          {"empty prefixes",
           rule_vs(R"y(
- match:
  - headers: {x-user: {prefix: ""}}
    method: {prefix: ""}
    queryParams: {q: {prefix: ""}}
  route:
  - destination: {host: a}
)y"),
           {{"spec.http[0].match[0].headers.x-user.prefix", "\"headers\": prefix string match should not be empty"},
            {"spec.http[0].match[0].method.prefix", "\"method\": prefix string match should not be empty"},
            {"spec.http[0].match[0].queryParams.q.prefix",
             "\"queryParams\": prefix string match should not be empty"}}},
          {"upper-case header name",
           rule_vs(R"y(
- match:
  - headers: {X-User: {exact: bob}}
  route:
  - destination: {host: a}
)y"),
           {{"spec.http[0].match[0].headers.X-User", "header name \"X-User\" must be lower-case"}}},
          {"empty match block",
           rule_vs(R"y(
- match:
  - {}
  route:
  - destination: {host: a}
)y"),
           {warn("spec.http[0].match[0]", "match request CANNOT be empty")}},
          {"presence matchers and regex are fine",
           rule_vs(R"y(
- match:
  - uri: {regex: "/v[0-9]+/.*"}
    headers: {x-debug: {}}
    queryParams: {id: {regex: "\\d+"}}
    withoutHeaders: {x-skip: {exact: "1"}}
  route:
  - destination: {host: a}
)y"),
           {}},
      },
      Run::kObjects);
}

// Scenario: header matches on the request pseudo-headers are valid Istio (Envoy matches them);
// `regex: "*"` is Istio's presence test under withoutHeaders only (istio/istio pull request
// 20629); docs/semantics.md §3.
TEST(ValidateHttpRoute, PseudoHeadersAndRegexStar) {
  run_table(
      {
          {"pseudo-header matches",
           rule_vs(R"y(
- match:
  - headers:
      ":method": {exact: POST}
      ":authority": {prefix: api.}
      ":path": {regex: "/v1/.*"}
      ":scheme": {exact: https}
    withoutHeaders:
      ":method": {exact: OPTIONS}
  route:
  - destination: {host: a}
)y"),
           {}},
          {"withoutHeaders regex star is presence",
           rule_vs(R"y(
- match:
  - withoutHeaders: {x-canary: {regex: "*"}}
  route:
  - destination: {host: a}
)y"),
           {}},
          {"headers regex star is refused as in Istio",
           rule_vs(R"y(
- match:
  - headers: {x-canary: {regex: "*"}}
  route:
  - destination: {host: a}
)y"),
           {{"spec.http[0].match[0].headers.x-canary.regex", "\"headers\": error parsing regexp"}}},
          {"queryParams regex star is refused as in Istio",
           rule_vs(R"y(
- match:
  - queryParams: {k: {regex: "*"}}
  route:
  - destination: {host: a}
)y"),
           {{"spec.http[0].match[0].queryParams.k.regex", "\"queryParams\": error parsing regexp"}}},
          {"withoutHeaders other bad regex still refused",
           rule_vs(R"y(
- match:
  - withoutHeaders: {x: {regex: "a("}}
  route:
  - destination: {host: a}
)y"),
           {{"spec.http[0].match[0].withoutHeaders.x.regex", "error parsing regexp"}}},
          {"unknown pseudo-header warned",
           rule_vs(R"y(
- match:
  - headers: {":protocol": {exact: websocket}}
  route:
  - destination: {host: a}
)y"),
           {warn("spec.http[0].match[0].headers.:protocol", "pseudo-header \":protocol\" is never present")}},
      },
      Run::kObjects);
}

// Scenario: rewrite needs one of uri / uriRegexRewrite, and the regex form needs both parts.
TEST(ValidateHttpRoute, Rewrite) {
  run_table(
      {
          {"uri and regex rewrite",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  rewrite:
    uri: /x
    uriRegexRewrite: {match: "^/a(.*)"}
)y"),
           {{"spec.http[0].rewrite", "rewrite may only contain one of URI or UriRegexRewrite"},
            {"spec.http[0].rewrite.uriRegexRewrite", "UriRegexRewrite requires Rewrite to be set"}}},
          {"regex rewrite bad regex",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  rewrite:
    uriRegexRewrite: {match: "^/a(", rewrite: "/b"}
)y"),
           {{"spec.http[0].rewrite.uriRegexRewrite.match", "error parsing regexp"}}},
          {"authority twice",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  rewrite: {authority: b.com}
  headers:
    request:
      set: {host: c.com}
)y"),
           {{"spec.http[0].rewrite.authority", "authority is set both by rewrite and by headers.request.set"}}},
      },
      Run::kObjects);
}

// Scenario: durations must be whole milliseconds ≥1ms; retries follow Envoy's policy names.
TEST(ValidateHttpRoute, TimeoutsAndRetries) {
  run_table(
      {
          {"zero and sub-ms timeouts",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  timeout: 0s
  retries: {attempts: 3, perTryTimeout: 1.5ms, backoff: 500us}
)y"),
           {{"spec.http[0].timeout", "duration must be greater than 1ms"},
            {"spec.http[0].retries.perTryTimeout", "only durations to ms precision are supported"},
            {"spec.http[0].retries.backoff", "duration must be greater than 1ms"}}},
          {"negative attempts",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  retries: {attempts: -1}
)y"),
           {{"spec.http[0].retries.attempts", "attempts cannot be negative"}}},
          {"zero attempts with policy",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  retries: {attempts: 0, retryOn: 5xx}
)y"),
           {{"spec.http[0].retries", "http retry policy configured when attempts are set to 0 (disabled)"}}},
          {"unknown retryOn token",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  retries: {attempts: 2, retryOn: "gateway-error, 503,connect-failure,5xxx,999"}
)y"),
           {{"spec.http[0].retries.retryOn", "\"5xxx\" is not a valid retryOn policy"},
            {"spec.http[0].retries.retryOn", "\"999\" is not a valid retryOn policy"}}},
          {"valid retry policy",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  timeout: 10s
  retries: {attempts: 3, perTryTimeout: 2s, retryOn: "reset,retriable-status-codes,503,unavailable"}
)y"),
           {}},
      },
      Run::kObjects);
}

// Scenario: fault injection needs delay or abort with valid statuses and percentages.
TEST(ValidateHttpRoute, Faults) {
  run_table(
      {
          {"empty fault",
           rule_vs("- route:\n  - destination: {host: a}\n  fault: {}\n"),
           {{"spec.http[0].fault", "HTTP fault injection must have an abort and/or a delay"}}},
          {"abort status and percentage",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  fault:
    abort: {httpStatus: 700, percentage: {value: 150}}
    delay: {percentage: {value: 0.00001}}
)y"),
           {{"spec.http[0].fault.abort.httpStatus", "HTTP status 700 is not in range 200-599"},
            {"spec.http[0].fault.abort.percentage", "percentage 150 is neither 0.0, nor in range [0.0001, 100.0]"},
            {"spec.http[0].fault.delay.percentage", "percentage 1e-05 is neither 0.0"},
            {"spec.http[0].fault.delay", "delay must specify fixedDelay"}}},
          {"exponential delay and http2 error",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  fault:
    delay: {exponentialDelay: 1s}
    abort: {http2Error: CANCEL}
)y"),
           {{"spec.http[0].fault.delay.exponentialDelay", "exponentialDelay not supported yet"},
            {"spec.http[0].fault.abort.http2Error", "HTTP/2 abort fault injection not supported yet"}}},
          {"valid fault",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  fault:
    delay: {fixedDelay: 7s, percentage: {value: 100}}
    abort: {httpStatus: 555, percentage: {value: 0}}
)y"),
           {}},
      },
      Run::kObjects);
}

// Scenario: CORS methods, maxAge precision and header operations.
TEST(ValidateHttpRoute, CorsAndHeaders) {
  run_table(
      {
          {"cors",
           rule_vs(R"y(
- route:
  - destination: {host: a}
  corsPolicy:
    allowOrigins: [{regex: "https://(.*"}]
    allowMethods: [GET, FETCH]
    maxAge: 1500ms
)y"),
           {{"spec.http[0].corsPolicy.allowOrigins[0].regex", "error parsing regexp"},
            {"spec.http[0].corsPolicy.allowMethods[1]", "\"FETCH\" is not a supported HTTP method"},
            {"spec.http[0].corsPolicy.maxAge", "max_age duration is accurate only to seconds precision"}}},
          {"header ops",
           rule_vs(R"y(
- route:
  - destination: {host: a}
    headers:
      response:
        set: {":status": "200"}
  headers:
    request:
      remove: [host]
)y"),
           {{"spec.http[0].route[0].headers.response.set", "pseudo-header \":status\" cannot be modified"},
            {"spec.http[0].headers.request.remove[0]", "header \"host\" cannot be removed"}}},
      },
      Run::kObjects);
}

}  // namespace
}  // namespace sy::config::testing
