// VirtualService spec: hosts, gateways and the ordered http / tls / tcp rules.
#include "config/parse_common.h"
#include "core/base64.h"

namespace sy::config::parse {
namespace {

void http_match(Cursor& c, HTTPMatchRequest& out) {
  c.read("name", out.name);
  c.read_object("uri", out.uri, string_match);
  c.read_object("scheme", out.scheme, string_match);
  c.read_object("method", out.method, string_match);
  c.read_object("authority", out.authority, string_match);
  string_match_map(c, "headers", out.headers);
  c.read("port", out.port);
  c.read("sourceLabels", out.source_labels);
  c.read("gateways", out.gateways);
  string_match_map(c, "queryParams", out.query_params);
  c.read("ignoreUriCase", out.ignore_uri_case);
  string_match_map(c, "withoutHeaders", out.without_headers);
  c.read("sourceNamespace", out.source_namespace);
  c.read("statPrefix", out.stat_prefix);
}

void http_route_destination(Cursor& c, HTTPRouteDestination& out) {
  c.read_object("destination", out.destination, destination);
  c.read("weight", out.weight);
  c.read_object("headers", out.headers, headers);
}

void http_redirect(Cursor& c, HTTPRedirect& out) {
  using DerivePort = HTTPRedirect::DerivePort;
  c.oneof({"port", "derivePort"});
  c.read("uri", out.uri);
  c.read("prefixRewrite", out.prefix_rewrite);
  c.read("authority", out.authority);
  c.read("port", out.port);
  c.read_enum("derivePort", out.derive_port,
              {{"FROM_PROTOCOL_DEFAULT", DerivePort::kFromProtocolDefault},
               {"FROM_REQUEST_PORT", DerivePort::kFromRequestPort}});
  c.read("scheme", out.scheme);
  c.read("redirectCode", out.redirect_code);
}

void http_body(Cursor& c, HTTPBody& out) {
  c.oneof({"string", "bytes"});
  c.read("string", out.string);
  if (auto f = c.field("bytes")) {
    if (auto text = f->as_string()) {
      out.bytes = base64_decode(*text);
      if (!out.bytes) f->error("invalid base64 in bytes");
    }
  }
}

void direct_response(Cursor& c, HTTPDirectResponse& out) {
  c.read("status", out.status);
  c.read_object("body", out.body, http_body);
}

void rewrite(Cursor& c, HTTPRewrite& out) {
  c.read("uri", out.uri);
  c.read("authority", out.authority);
  c.read_object("uriRegexRewrite", out.uri_regex_rewrite, [](Cursor& r, RegexRewrite& rr) {
    r.read("match", rr.match);
    r.read("rewrite", rr.rewrite);
  });
}

void retry(Cursor& c, HTTPRetry& out) {
  c.read("attempts", out.attempts);
  c.read("perTryTimeout", out.per_try_timeout);
  c.read("retryOn", out.retry_on);
  c.read("retryRemoteLocalities", out.retry_remote_localities);
  c.read("retryIgnorePreviousHosts", out.retry_ignore_previous_hosts);
  c.read("backoff", out.backoff);
}

void fault(Cursor& c, HTTPFaultInjection& out) {
  c.read_object("delay", out.delay, [](Cursor& d, HTTPFaultInjection::Delay& delay) {
    d.oneof({"fixedDelay", "exponentialDelay"});
    d.read("fixedDelay", delay.fixed_delay);
    d.read("exponentialDelay", delay.exponential_delay);
    d.read("percentage", delay.percentage);
    d.read("percent", delay.percent);
  });
  c.read_object("abort", out.abort, [](Cursor& a, HTTPFaultInjection::Abort& abort) {
    a.oneof({"httpStatus", "grpcStatus", "http2Error"});
    a.read("httpStatus", abort.http_status);
    a.read("grpcStatus", abort.grpc_status);
    a.read("http2Error", abort.http2_error);
    a.read("percentage", abort.percentage);
  });
}

void cors_policy(Cursor& c, CorsPolicy& out) {
  using Unmatched = CorsPolicy::UnmatchedPreflights;
  c.read("allowOrigin", out.allow_origin);
  c.read_list("allowOrigins", out.allow_origins, string_match);
  c.read("allowMethods", out.allow_methods);
  c.read("allowHeaders", out.allow_headers);
  c.read("exposeHeaders", out.expose_headers);
  c.read("maxAge", out.max_age);
  c.read("allowCredentials", out.allow_credentials);
  c.read_enum(
      "unmatchedPreflights", out.unmatched_preflights,
      {{"UNSPECIFIED", Unmatched::kUnspecified}, {"FORWARD", Unmatched::kForward}, {"IGNORE", Unmatched::kIgnore}});
}

void http_route(Cursor& c, HTTPRoute& out) {
  c.read("name", out.name);
  c.read_list("match", out.match, http_match);
  c.read_list("route", out.route, http_route_destination);
  c.read_object("redirect", out.redirect, http_redirect);
  c.read_object("directResponse", out.direct_response, direct_response);
  c.read_object("delegate", out.delegate, [](Cursor& d, Delegate& del) {
    d.read("name", del.name);
    d.read("namespace", del.namespace_);
  });
  c.read_object("rewrite", out.rewrite, rewrite);
  c.read("timeout", out.timeout);
  c.read_object("retries", out.retries, retry);
  c.read_object("fault", out.fault, fault);
  c.read_object("mirror", out.mirror, destination);
  c.read_list("mirrors", out.mirrors, [](Cursor& m, HTTPMirrorPolicy& policy) {
    m.read_object("destination", policy.destination, destination);
    m.read("percentage", policy.percentage);
  });
  c.read("mirrorPercent", out.mirror_percent);
  // `mirror_percent` is the proto field name of `mirrorPercent`; Istio's CRD schema lists both
  // spellings and they set the same field.
  if (c.has("mirror_percent") && c.has("mirrorPercent")) {
    c.field("mirror_percent")->error("mirror_percent and mirrorPercent are the same field; set only one");
  } else {
    c.read("mirror_percent", out.mirror_percent);
  }
  c.read("mirrorPercentage", out.mirror_percentage);
  c.read_object("corsPolicy", out.cors_policy, cors_policy);
  c.read_object("headers", out.headers, headers);
}

void route_destination(Cursor& c, RouteDestination& out) {
  c.read_object("destination", out.destination, destination);
  c.read("weight", out.weight);
}

void tls_route(Cursor& c, TLSRoute& out) {
  c.read_list("match", out.match, [](Cursor& m, TLSMatchAttributes& a) {
    m.read("sniHosts", a.sni_hosts);
    m.read("destinationSubnets", a.destination_subnets);
    m.read("port", a.port);
    m.read("sourceLabels", a.source_labels);
    m.read("gateways", a.gateways);
    m.read("sourceNamespace", a.source_namespace);
  });
  c.read_list("route", out.route, route_destination);
}

void tcp_route(Cursor& c, TCPRoute& out) {
  c.read_list("match", out.match, [](Cursor& m, L4MatchAttributes& a) {
    m.read("destinationSubnets", a.destination_subnets);
    m.read("port", a.port);
    m.read("sourceSubnet", a.source_subnet);
    m.read("sourceLabels", a.source_labels);
    m.read("gateways", a.gateways);
    m.read("sourceNamespace", a.source_namespace);
  });
  c.read_list("route", out.route, route_destination);
}

}  // namespace

void virtual_service_spec(Cursor& spec, VirtualService& out) {
  spec.read("hosts", out.hosts);
  spec.read("gateways", out.gateways);
  spec.read_list("http", out.http, http_route);
  spec.read_list("tls", out.tls, tls_route);
  spec.read_list("tcp", out.tcp, tcp_route);
  spec.read("exportTo", out.export_to);
}

}  // namespace sy::config::parse
