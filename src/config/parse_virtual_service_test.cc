#include <gtest/gtest.h>

#include <optional>

#include "config/loader.h"

namespace sy::config {
namespace {

using namespace std::chrono_literals;

LoadResult load_fixture(const std::string& name) { return load_paths({std::string(SY_TESTDATA) + "/" + name}); }

std::string report(const LoadResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics.items()) out += d.to_string() + "\n";
  return out;
}

// Scenario: Bookinfo's "jason sees reviews v2" rule keeps rule order and the header match.
TEST(ParseVirtualService, ReviewsTestV2) {
  auto r = load_fixture("bookinfo/virtual-service-reviews-test-v2.yaml");
  ASSERT_TRUE(r.diagnostics.items().empty()) << report(r);
  ASSERT_EQ(r.config.virtual_services.size(), 1u);
  const VirtualService& vs = r.config.virtual_services[0];
  EXPECT_EQ(vs.hosts, std::vector<std::string>{"reviews"});
  EXPECT_TRUE(vs.gateways.empty());
  ASSERT_EQ(vs.http.size(), 2u);
  const StringMatch& user = vs.http[0].match[0].headers.at("end-user");
  EXPECT_EQ(user.kind, StringMatch::Kind::kExact);
  EXPECT_EQ(user.value, "jason");
  EXPECT_EQ(vs.http[0].route[0].destination.subset, "v2");
  EXPECT_TRUE(vs.http[1].match.empty());
  EXPECT_EQ(vs.http[1].route[0].destination.subset, "v1");
  EXPECT_EQ(vs.source.line_of("spec.http[1].route[0].destination.subset"), 21);
}

// Scenario: the httpbin fault-injection and timeout tasks: delay, abort with Percent, timeout, retries.
TEST(ParseVirtualService, HttpbinFaultAndTimeout) {
  auto r = load_fixture("httpbin/httpbin-fault-timeout.yaml");
  ASSERT_TRUE(r.diagnostics.items().empty()) << report(r);
  const VirtualService& vs = r.config.virtual_services.at(0);
  EXPECT_EQ(vs.meta.namespace_, "demo");
  EXPECT_EQ(vs.meta.labels.at("app"), "httpbin");
  ASSERT_EQ(vs.http.size(), 3u);
  EXPECT_EQ(vs.http[0].name, "delayed");
  EXPECT_EQ(vs.http[0].fault->delay->fixed_delay, Duration(7s));
  EXPECT_DOUBLE_EQ(vs.http[0].fault->delay->percentage->value, 100.0);
  EXPECT_FALSE(vs.http[0].fault->abort);
  EXPECT_EQ(vs.http[1].fault->abort->http_status, 503);
  EXPECT_DOUBLE_EQ(vs.http[1].fault->abort->percentage->value, 50.5);
  EXPECT_EQ(vs.http[1].match[0].query_params.at("fail").kind, StringMatch::Kind::kPresent);
  EXPECT_EQ(vs.http[2].timeout, Duration(500ms));
  EXPECT_EQ(vs.http[2].retries->attempts, 3);
  EXPECT_EQ(vs.http[2].retries->per_try_timeout, Duration(2s));
  EXPECT_EQ(vs.http[2].retries->retry_on, "gateway-error,connect-failure,refused-stream");
  EXPECT_FALSE(vs.http[2].retries->backoff);
  EXPECT_EQ(vs.http[2].route[0].destination.port->number, 8000u);
}

// Scenario: every HTTPRoute / match / action field of the model is filled from its Istio key.
TEST(ParseVirtualService, AllHttpFields) {
  auto r = load_fixture("loader/virtual-service-all-fields.yaml");
  ASSERT_TRUE(r.diagnostics.items().empty()) << report(r);
  const VirtualService& vs = r.config.virtual_services.at(0);
  EXPECT_EQ(vs.hosts, (std::vector<std::string>{"shop.example.com", "shop"}));
  EXPECT_EQ(vs.gateways, (std::vector<std::string>{"istio-system/edge", "mesh"}));
  EXPECT_EQ(vs.export_to, std::vector<std::string>{"."});
  ASSERT_EQ(vs.http.size(), 8u);

  const HTTPRoute& api = vs.http[0];
  EXPECT_EQ(api.name, "api");
  const HTTPMatchRequest& m = api.match.at(0);
  EXPECT_EQ(m.name, "v2-users");
  EXPECT_EQ(m.uri->kind, StringMatch::Kind::kRegex);
  EXPECT_EQ(m.uri->value, "^/api/v2/.*");
  EXPECT_EQ(m.scheme->value, "https");
  EXPECT_EQ(m.method->value, "GET");
  EXPECT_EQ(m.authority->kind, StringMatch::Kind::kPrefix);
  EXPECT_EQ(m.headers.at("x-user").value, "jason");
  EXPECT_EQ(m.headers.at("x-present").kind, StringMatch::Kind::kPresent);
  EXPECT_EQ(m.without_headers.at("x-debug").value, "1");
  EXPECT_EQ(m.query_params.at("v").value, "\\d+");
  EXPECT_EQ(m.port, 443u);
  EXPECT_EQ(m.source_labels, (Labels{{"app", "web"}}));
  EXPECT_EQ(m.gateways, std::vector<std::string>{"istio-system/edge"});
  EXPECT_TRUE(m.ignore_uri_case);
  EXPECT_EQ(m.source_namespace, "frontend");
  EXPECT_EQ(m.stat_prefix, "api_v2");

  ASSERT_EQ(api.route.size(), 2u);
  EXPECT_EQ(api.route[0].destination.host, "users");
  EXPECT_EQ(api.route[0].destination.subset, "v2");
  EXPECT_EQ(api.route[0].destination.port->number, 8080u);
  EXPECT_EQ(api.route[0].weight, 90);
  EXPECT_EQ(api.route[0].headers->request->set.at("x-route"), "v2");
  EXPECT_EQ(api.route[0].headers->request->add.at("x-trace"), "on");
  EXPECT_EQ(api.route[0].headers->request->remove, std::vector<std::string>{"x-internal"});
  EXPECT_EQ(api.route[0].headers->response->remove, std::vector<std::string>{"server"});
  EXPECT_EQ(api.route[1].weight, 10);
  EXPECT_EQ(api.rewrite->authority, "users.internal");
  EXPECT_EQ(api.rewrite->uri_regex_rewrite->match, "^/api/v2/(.*)");
  EXPECT_EQ(api.rewrite->uri_regex_rewrite->rewrite, "/\\1");
  EXPECT_EQ(api.timeout, Duration(10s));
  EXPECT_EQ(api.retries->attempts, 3);
  EXPECT_EQ(api.retries->per_try_timeout, Duration(2s));
  EXPECT_EQ(api.retries->retry_on, "5xx,reset");
  EXPECT_EQ(api.retries->retry_remote_localities, true);
  EXPECT_EQ(api.retries->retry_ignore_previous_hosts, false);
  EXPECT_EQ(api.retries->backoff, Duration(50ms));
  EXPECT_EQ(api.fault->delay->exponential_delay, Duration(1s));
  EXPECT_FALSE(api.fault->delay->fixed_delay);
  EXPECT_EQ(api.fault->delay->percent, 5);
  EXPECT_EQ(api.fault->abort->grpc_status, "UNAVAILABLE");
  EXPECT_FALSE(api.fault->abort->http_status);
  EXPECT_DOUBLE_EQ(api.fault->abort->percentage->value, 0.5);
  EXPECT_EQ(api.mirror->host, "shadow");
  EXPECT_EQ(api.mirror->subset, "v1");
  EXPECT_EQ(api.mirror_percent, 20u);
  EXPECT_DOUBLE_EQ(api.mirror_percentage->value, 12.5);
  const CorsPolicy& cors = *api.cors_policy;
  EXPECT_EQ(cors.allow_origin, std::vector<std::string>{"https://old.example.com"});
  ASSERT_EQ(cors.allow_origins.size(), 2u);
  EXPECT_EQ(cors.allow_origins[1].kind, StringMatch::Kind::kRegex);
  EXPECT_EQ(cors.allow_methods, (std::vector<std::string>{"GET", "POST"}));
  EXPECT_EQ(cors.allow_headers, std::vector<std::string>{"x-user"});
  EXPECT_EQ(cors.expose_headers, std::vector<std::string>{"x-trace"});
  EXPECT_EQ(cors.max_age, Duration(24h));
  EXPECT_EQ(cors.allow_credentials, true);
  EXPECT_EQ(cors.unmatched_preflights, CorsPolicy::UnmatchedPreflights::kIgnore);
  EXPECT_EQ(api.headers->response->set.at("cache-control"), "no-store");

  const HTTPRoute& mirrors = vs.http[1];
  ASSERT_EQ(mirrors.mirrors.size(), 2u);
  EXPECT_EQ(mirrors.mirrors[0].destination.host, "shadow-a");
  EXPECT_DOUBLE_EQ(mirrors.mirrors[0].percentage->value, 50);
  EXPECT_FALSE(mirrors.mirrors[1].percentage);
  EXPECT_EQ(mirrors.mirrors[1].destination.port->number, 81u);

  const HTTPRedirect& moved = *vs.http[2].redirect;
  EXPECT_EQ(moved.uri, "/new");
  EXPECT_EQ(moved.authority, "new.example.com");
  EXPECT_EQ(moved.port, 8443u);
  EXPECT_EQ(moved.scheme, "https");
  EXPECT_EQ(moved.redirect_code, 308u);
  EXPECT_EQ(moved.derive_port, HTTPRedirect::DerivePort::kNone);
  EXPECT_EQ(vs.http[3].redirect->prefix_rewrite, "/modern");
  EXPECT_EQ(vs.http[3].redirect->derive_port, HTTPRedirect::DerivePort::kFromRequestPort);
  EXPECT_FALSE(vs.http[3].redirect->redirect_code);

  EXPECT_EQ(vs.http[4].direct_response->status, 418u);
  EXPECT_EQ(vs.http[4].direct_response->body->bytes, "hello world");
  EXPECT_FALSE(vs.http[4].direct_response->body->string);
  EXPECT_EQ(vs.http[5].direct_response->body->string, "hi");
  EXPECT_EQ(vs.http[6].delegate->name, "reviews-routes");
  EXPECT_EQ(vs.http[6].delegate->namespace_, "reviews");
  EXPECT_EQ(vs.http[7].rewrite->uri, "/v1");
}

// Scenario: tls and tcp rules with all their match attributes.
TEST(ParseVirtualService, AllTlsAndTcpFields) {
  auto r = load_fixture("loader/virtual-service-all-fields.yaml");
  ASSERT_TRUE(r.diagnostics.items().empty()) << report(r);
  const VirtualService& vs = r.config.virtual_services.at(0);
  ASSERT_EQ(vs.tls.size(), 1u);
  const TLSMatchAttributes& t = vs.tls[0].match.at(0);
  EXPECT_EQ(t.sni_hosts, std::vector<std::string>{"shop.example.com"});
  EXPECT_EQ(t.destination_subnets, std::vector<std::string>{"10.0.0.0/8"});
  EXPECT_EQ(t.port, 443u);
  EXPECT_EQ(t.source_labels.at("app"), "edge");
  EXPECT_EQ(t.gateways, std::vector<std::string>{"mesh"});
  EXPECT_EQ(t.source_namespace, "edge");
  EXPECT_EQ(vs.tls[0].route.at(0).destination.host, "shop-tls");
  EXPECT_EQ(vs.tls[0].route.at(0).weight, 100);

  ASSERT_EQ(vs.tcp.size(), 1u);
  const L4MatchAttributes& l4 = vs.tcp[0].match.at(0);
  EXPECT_EQ(l4.destination_subnets, std::vector<std::string>{"10.1.0.0/16"});
  EXPECT_EQ(l4.port, 5432u);
  EXPECT_EQ(l4.source_subnet, "10.2.0.0/16");
  EXPECT_EQ(l4.source_labels.at("app"), "db-client");
  EXPECT_EQ(l4.gateways, std::vector<std::string>{"mesh"});
  EXPECT_EQ(l4.source_namespace, "apps");
  EXPECT_EQ(vs.tcp[0].route.at(0).destination.port->number, 5432u);
  EXPECT_FALSE(vs.tcp[0].route.at(0).weight);
}

// Scenario: proto oneofs inside HTTPRoute messages reject two members at once.
TEST(ParseVirtualService, RejectsOneofConflicts) {
  struct Case {
    const char* route;
    const char* path;
    const char* message;
  } cases[] = {
      {"directResponse: {status: 200, body: {string: a, bytes: YQ==}}", "spec.http[0].directResponse.body",
       "only one of string, bytes may be set"},
      {"redirect: {uri: /a, port: 80, derivePort: FROM_REQUEST_PORT}", "spec.http[0].redirect",
       "only one of port, derivePort may be set"},
      {"fault: {abort: {httpStatus: 500, grpcStatus: INTERNAL}}", "spec.http[0].fault.abort",
       "only one of httpStatus, grpcStatus may be set"},
      {"fault: {delay: {fixedDelay: 1s, exponentialDelay: 1s}}", "spec.http[0].fault.delay",
       "only one of fixedDelay, exponentialDelay may be set"},
      {"corsPolicy: {unmatchedPreflights: DROP}", "spec.http[0].corsPolicy.unmatchedPreflights",
       "allowed: UNSPECIFIED, FORWARD, IGNORE"},
      {"mirror: {host: a, weight: 3}", "spec.http[0].mirror.weight", "unknown field \"weight\""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.route);
    auto r = load_string(std::string("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v}\n"
                                     "spec:\n  hosts: [a]\n  http:\n  - ") +
                             c.route + "\n",
                         "v.yaml");
    ASSERT_EQ(r.diagnostics.error_count(), 1u) << report(r);
    EXPECT_EQ(r.diagnostics.items()[0].path, c.path);
    EXPECT_EQ(r.diagnostics.items()[0].line, 7);
    EXPECT_NE(r.diagnostics.items()[0].message.find(c.message), std::string::npos) << report(r);
  }
}

// Scenario: `mirror_percent` (the proto name of `mirrorPercent`, listed by Istio's CRD schema) sets
// the same field, which the route's mirror policy honours; both spellings at once is an error
// (the alias used to be refused as an unknown field).
TEST(ParseVirtualService, MirrorPercentAlias) {
  struct Case {
    const char* fields;
    std::optional<uint32_t> want;
    const char* error;
  } cases[] = {
      {"mirror_percent: 30", 30u, ""},
      {"mirrorPercent: 40", 40u, ""},
      {"mirror_percent: 30, mirrorPercent: 40", std::nullopt,
       "mirror_percent and mirrorPercent are the same field; set only one"},
      {"mirror_percent: -1", std::nullopt, "expected a non-negative integer"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.fields);
    auto r = load_string(std::string("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v}\n"
                                     "spec:\n  hosts: [a]\n  http:\n  - {route: [{destination: {host: a}}], "
                                     "mirror: {host: b}, ") +
                             c.fields + "}\n",
                         "v.yaml");
    if (c.want) {
      ASSERT_TRUE(r.diagnostics.items().empty()) << report(r);
      EXPECT_EQ(r.config.virtual_services.at(0).http.at(0).mirror_percent, c.want);
    } else {
      ASSERT_EQ(r.diagnostics.error_count(), 1u) << report(r);
      EXPECT_EQ(r.diagnostics.items()[0].path, "spec.http[0].mirror_percent");
      EXPECT_NE(r.diagnostics.items()[0].message.find(c.error), std::string::npos) << report(r);
    }
  }
}

}  // namespace
}  // namespace sy::config
