// HTTPRoute internals: match blocks, the route/redirect/directResponse/delegate action, rewrite,
// retries, fault injection, mirroring, CORS and header operations, with Istio's webhook texts.
#include <fmt/format.h>

#include <cctype>
#include <charconv>

#include "config/validate_http_route.h"
#include "config/validate_wire.h"

namespace sy::config::detail {
namespace {

constexpr std::string_view kRetryOnPolicies[] = {"5xx",
                                                 "gateway-error",
                                                 "reset",
                                                 "reset-before-request",
                                                 "connect-failure",
                                                 "refused-stream",
                                                 "retriable-4xx",
                                                 "retriable-status-codes",
                                                 "retriable-headers",
                                                 "envoy-ratelimited",
                                                 "http3-post-connect-failure",
                                                 "cancelled",
                                                 "deadline-exceeded",
                                                 "internal",
                                                 "resource-exhausted",
                                                 "unavailable"};

constexpr std::string_view kCorsMethods[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                             "CONNECT", "OPTIONS", "TRACE", "PATCH"};

constexpr size_t kDirectResponseWarnBytes = 100 * 1024;
constexpr size_t kDirectResponseMaxBytes = 1024 * 1024;

bool has_upper(std::string_view s) {
  for (char c : s)
    if (std::isupper(static_cast<unsigned char>(c))) return true;
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool match_is_empty(const HTTPMatchRequest& m) {
  return m.name.empty() && !m.uri && !m.scheme && !m.method && !m.authority && m.headers.empty() && !m.port &&
         m.source_labels.empty() && m.gateways.empty() && m.query_params.empty() && !m.ignore_uri_case &&
         m.without_headers.empty() && m.source_namespace.empty() && m.stat_prefix.empty();
}

// Envoy keeps the request line and Host as these pseudo-headers; header matches on them work.
bool is_request_pseudo_header(std::string_view name) {
  return name == ":method" || name == ":authority" || name == ":path" || name == ":scheme";
}

void check_header_matches(Reporter& r, const std::string& path, std::string_view where,
                          const std::map<std::string, StringMatch>& headers) {
  const bool without = where == "withoutHeaders";
  for (const auto& [name, sm] : headers) {
    const std::string hpath = keyed(path, name);
    if (name.empty()) r.error(path, "header name must not be empty");
    else if (has_upper(name)) r.error(hpath, fmt::format("header name \"{}\" must be lower-case", name));
    else if (name.front() == ':' && !is_request_pseudo_header(name))
      r.warning(hpath, fmt::format("pseudo-header \"{}\" is never present in a request (only :method, :authority, "
                                   ":path and :scheme are); this condition treats it as absent",
                                   name));
    // Istio reads `regex: "*"` under withoutHeaders as "header present", inverted: the header must
    // be absent (istio/istio pull request 20629). Under headers and queryParams its webhook
    // compiles the regex and refuses `*`.
    if (without && sm.kind == StringMatch::Kind::kRegex && sm.value == "*") continue;
    check_string_match(r, hpath, where, sm, true);
  }
}

void check_match(Reporter& r, const std::string& path, const HTTPMatchRequest& m) {
  if (match_is_empty(m))
    r.warning(path, "match request CANNOT be empty (it matches every request; omit match for a catch-all rule)");
  if (m.uri) check_string_match(r, keyed(path, "uri"), "uri", *m.uri, false);
  if (m.scheme) check_string_match(r, keyed(path, "scheme"), "scheme", *m.scheme, true);
  if (m.method) check_string_match(r, keyed(path, "method"), "method", *m.method, true);
  if (m.authority) check_string_match(r, keyed(path, "authority"), "authority", *m.authority, true);
  check_header_matches(r, keyed(path, "headers"), "headers", m.headers);
  check_header_matches(r, keyed(path, "withoutHeaders"), "withoutHeaders", m.without_headers);
  for (const auto& [name, sm] : m.query_params) {
    if (name.empty()) r.error(keyed(path, "queryParams"), "query parameter name must not be empty");
    check_string_match(r, keyed(keyed(path, "queryParams"), name), "queryParams", sm, true);
  }
  if (m.port) check_port_number(r, keyed(path, "port"), *m.port);
  check_labels(r, keyed(path, "sourceLabels"), m.source_labels);
  for (size_t i = 0; i < m.gateways.size(); ++i)
    check_gateway_ref(r, indexed(keyed(path, "gateways"), i), m.gateways[i]);
  if (!m.source_namespace.empty() && !is_dns1123_label(m.source_namespace))
    r.error(keyed(path, "sourceNamespace"), fmt::format("invalid sourceNamespace \"{}\"", m.source_namespace));
}

void check_redirect(Reporter& r, const std::string& path, const HTTPRedirect& rd) {
  if (rd.uri.empty() && rd.prefix_rewrite.empty() && rd.authority.empty() && rd.scheme.empty() && !rd.port &&
      rd.derive_port == HTTPRedirect::DerivePort::kNone)
    r.error(path, "redirect must specify URI, prefixRewrite, authority, scheme, port or derivePort");
  if (!rd.uri.empty() && !rd.prefix_rewrite.empty())
    r.error(path, "redirect may only specify one of uri or prefix_rewrite");
  if (!rd.scheme.empty() && rd.scheme != "http" && rd.scheme != "https")
    r.error(keyed(path, "scheme"), "invalid redirect scheme, must be http or https");
  // uri, prefixRewrite and authority are written into the Location header.
  check_uri_text(r, keyed(path, "uri"), rd.uri, "redirect uri");
  check_uri_text(r, keyed(path, "prefixRewrite"), rd.prefix_rewrite, "redirect prefixRewrite");
  check_uri_text(r, keyed(path, "authority"), rd.authority, "redirect authority");
  if (rd.port) check_port_number(r, keyed(path, "port"), *rd.port);
  if (rd.port && rd.derive_port != HTTPRedirect::DerivePort::kNone)
    r.error(path, "redirect may only specify one of port or derivePort");
  if (rd.redirect_code) {
    uint32_t code = *rd.redirect_code;
    if (code < 300 || code > 399) {
      r.error(keyed(path, "redirectCode"), fmt::format("{} is not a valid redirect code, must be 3xx", code));
    } else if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308) {
      r.warning(keyed(path, "redirectCode"),
                fmt::format("redirect code {} is not supported (301, 302, 303, 307, 308); Istio emits no redirect for "
                            "this rule",
                            code));
    }
  }
}

void check_rewrite(Reporter& r, const std::string& path, const HTTPRewrite& rw) {
  if (rw.uri.empty() && rw.authority.empty() && !rw.uri_regex_rewrite)
    r.error(path, "rewrite must specify URI, UriRegexRewrite, or authority");
  if (!rw.uri.empty() && rw.uri_regex_rewrite) r.error(path, "rewrite may only contain one of URI or UriRegexRewrite");
  // The rewritten path goes into the upstream request line, the authority into its Host header.
  check_uri_text(r, keyed(path, "uri"), rw.uri, "rewrite uri");
  check_uri_text(r, keyed(path, "authority"), rw.authority, "rewrite authority");
  if (rw.uri_regex_rewrite) {
    const std::string rpath = keyed(path, "uriRegexRewrite");
    if (rw.uri_regex_rewrite->match.empty()) r.error(rpath, "UriRegexRewrite requires Match to be set");
    else if (auto p = regex_problem(rw.uri_regex_rewrite->match))
      r.error(keyed(rpath, "match"), fmt::format("\"uriRegexRewrite\": {}", *p));
    if (rw.uri_regex_rewrite->rewrite.empty()) r.error(rpath, "UriRegexRewrite requires Rewrite to be set");
    check_uri_text(r, keyed(rpath, "rewrite"), rw.uri_regex_rewrite->rewrite, "uriRegexRewrite rewrite");
  }
}

void check_direct_response(Reporter& r, const std::string& path, const HTTPDirectResponse& dr) {
  if (dr.status < 200 || dr.status > 599)
    r.error(keyed(path, "status"), fmt::format("HTTP status {} is not in range 200-599", dr.status));
  if (!dr.body) return;
  size_t size = dr.body->string ? dr.body->string->size() : dr.body->bytes ? dr.body->bytes->size() : 0;
  if (dr.body->string && dr.body->bytes) r.error(keyed(path, "body"), "body may only specify one of string or bytes");
  if (size > kDirectResponseMaxBytes)
    r.error(keyed(path, "body"), "large direct_responses may impact control plane performance, must be less than 1MB");
  else if (size > kDirectResponseWarnBytes)
    r.warning(keyed(path, "body"), "large direct_responses may impact control plane performance");
}

bool valid_retry_status(std::string_view token) {
  int code = 0;
  auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), code);
  return ec == std::errc() && ptr == token.data() + token.size() && code >= 100 && code <= 599;
}

void check_retries(Reporter& r, const std::string& path, const HTTPRetry& rt) {
  int32_t attempts = rt.attempts.value_or(0);  // proto3 int32: absent reads as 0
  if (attempts < 0) r.error(keyed(path, "attempts"), "attempts cannot be negative");
  if (attempts == 0 && (rt.per_try_timeout || (rt.retry_on && !rt.retry_on->empty()) || rt.retry_remote_localities))
    r.error(path, "http retry policy configured when attempts are set to 0 (disabled)");
  check_duration(r, keyed(path, "perTryTimeout"), rt.per_try_timeout);
  check_duration(r, keyed(path, "backoff"), rt.backoff);
  if (!rt.retry_on) return;
  std::string_view list = *rt.retry_on;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string_view token =
        trim(comma == std::string_view::npos ? list.substr(start) : list.substr(start, comma - start));
    if (!token.empty() && !valid_retry_status(token)) {
      bool known = false;
      for (auto p : kRetryOnPolicies) known = known || p == token;
      if (!known) r.error(keyed(path, "retryOn"), fmt::format("\"{}\" is not a valid retryOn policy", token));
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
}

void check_fault(Reporter& r, const std::string& path, const HTTPFaultInjection& f) {
  if (!f.delay && !f.abort) r.error(path, "HTTP fault injection must have an abort and/or a delay");
  if (f.delay) {
    const std::string dpath = keyed(path, "delay");
    check_percent(r, keyed(dpath, "percentage"), f.delay->percentage);
    if (f.delay->percent && (*f.delay->percent < 0 || *f.delay->percent > 100))
      r.error(keyed(dpath, "percent"), fmt::format("percentage {} is not in range 0..100", *f.delay->percent));
    if (f.delay->exponential_delay) r.error(keyed(dpath, "exponentialDelay"), "exponentialDelay not supported yet");
    else if (!f.delay->fixed_delay) r.error(dpath, "delay must specify fixedDelay");
    check_duration(r, keyed(dpath, "fixedDelay"), f.delay->fixed_delay);
  }
  if (f.abort) {
    const std::string apath = keyed(path, "abort");
    check_percent(r, keyed(apath, "percentage"), f.abort->percentage);
    if (!f.abort->http2_error.empty()) {
      r.error(keyed(apath, "http2Error"), "HTTP/2 abort fault injection not supported yet");
    } else if (f.abort->http_status) {
      int32_t s = *f.abort->http_status;
      if (s < 200 || s > 599)
        r.error(keyed(apath, "httpStatus"), fmt::format("HTTP status {} is not in range 200-599", s));
    } else if (f.abort->grpc_status.empty()) {
      r.error(apath, "abort must specify httpStatus or grpcStatus");
    }
  }
}

void check_cors(Reporter& r, const std::string& path, const CorsPolicy& c) {
  // Origins are compared with the request's Origin header (which is what gets echoed back), so a
  // CR, LF or NUL in one can never match and only hides a pasted header line.
  for (size_t i = 0; i < c.allow_origin.size(); ++i)
    check_field_value(r, indexed(keyed(path, "allowOrigin"), i), c.allow_origin[i], "allowOrigin");
  for (size_t i = 0; i < c.allow_origins.size(); ++i) {
    const std::string opath = indexed(keyed(path, "allowOrigins"), i);
    const StringMatch& m = c.allow_origins[i];
    check_string_match(r, opath, "corsPolicy.allowOrigins", m, false);
    if (m.kind == StringMatch::Kind::kExact) check_field_value(r, keyed(opath, "exact"), m.value, "allowOrigins exact");
    if (m.kind == StringMatch::Kind::kPrefix)
      check_field_value(r, keyed(opath, "prefix"), m.value, "allowOrigins prefix");
  }
  for (size_t i = 0; i < c.allow_methods.size(); ++i) {
    bool ok = false;
    for (auto m : kCorsMethods) ok = ok || m == c.allow_methods[i];
    if (!ok)
      r.error(indexed(keyed(path, "allowMethods"), i),
              fmt::format("\"{}\" is not a supported HTTP method", c.allow_methods[i]));
  }
  // Joined with "," into access-control-allow-headers / -expose-headers: each must be a header name.
  for (const char* field : {"allowHeaders", "exposeHeaders"}) {
    const auto& list = std::string_view(field) == "allowHeaders" ? c.allow_headers : c.expose_headers;
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i].empty()) r.error(indexed(keyed(path, field), i), "header name cannot be empty");
      else check_header_name(r, indexed(keyed(path, field), i), list[i], fmt::format("{} entry", field));
    }
  }
  if (c.max_age) {
    using namespace std::chrono_literals;
    check_duration(r, keyed(path, "maxAge"), c.max_age);
    if (*c.max_age >= 1ms && *c.max_age % 1s != 0ns)
      r.error(keyed(path, "maxAge"), "max_age duration is accurate only to seconds precision");
  }
}

void check_mirrors(Reporter& r, const std::string& path, const HTTPRoute& h) {
  if (h.mirror && !h.mirrors.empty()) r.error(path, "HTTP route cannot contain both mirror and mirrors");
  if (h.mirror) check_destination(r, keyed(path, "mirror"), *h.mirror);
  if (h.mirror_percent) {
    if (*h.mirror_percent > 100) r.error(keyed(path, "mirrorPercent"), "mirror_percent must have a max value of 100");
    r.warning(keyed(path, "mirrorPercent"),
              "using deprecated setting \"mirrorPercent\", use \"mirrorPercentage\" instead");
  }
  if (h.mirror_percentage) {
    if (h.mirror_percentage->value > 100)
      r.error(keyed(path, "mirrorPercentage"), "mirror_percentage must have a max value of 100");
    else check_percent(r, keyed(path, "mirrorPercentage"), h.mirror_percentage);
  }
  for (size_t i = 0; i < h.mirrors.size(); ++i) {
    const std::string mpath = indexed(keyed(path, "mirrors"), i);
    check_destination(r, keyed(mpath, "destination"), h.mirrors[i].destination);
    const auto& pct = h.mirrors[i].percentage;
    if (pct && pct->value > 100) r.error(keyed(mpath, "percentage"), "mirror percentage must have a max value of 100");
    else check_percent(r, keyed(mpath, "percentage"), pct);
  }
}

bool sets_authority(const std::optional<Headers>& h) {
  if (!h || !h->request) return false;
  for (const auto& [name, value] : h->request->set)
    if (name == "host" || name == "Host" || name == ":authority") return true;
  return false;
}

}  // namespace

void check_http_route(Reporter& r, const std::string& path, const HTTPRoute& h, bool in_delegate) {
  bool has_route = !h.route.empty();
  if (!has_route && !h.redirect && !h.direct_response && !h.delegate)
    r.error(path, "HTTP route, redirect or direct_response is required");
  if (has_route && h.redirect) r.error(path, "HTTP route cannot contain both route and redirect");
  if (h.fault && h.redirect) r.error(path, "HTTP route cannot contain both fault and redirect");
  if (h.rewrite && h.redirect) r.error(path, "HTTP route rule cannot contain both rewrite and redirect");
  if (h.direct_response) {
    if (has_route) r.error(path, "HTTP route cannot contain both route and direct_response");
    if (h.fault) r.error(path, "HTTP route cannot contain both fault and direct_response");
    if (h.rewrite) r.error(path, "HTTP route rule cannot contain both rewrite and direct_response");
    if (h.redirect) r.error(path, "HTTP route cannot contain both redirect and direct_response");
  }
  if (h.delegate) {
    const std::string dpath = keyed(path, "delegate");
    if (in_delegate) r.error(dpath, "delegate virtual service cannot delegate again (only one level is supported)");
    if (has_route) r.error(path, "HTTP route cannot contain both route and delegate");
    if (h.redirect) r.error(path, "HTTP route cannot contain both redirect and delegate");
    if (h.direct_response) r.error(path, "HTTP route cannot contain both direct_response and delegate");
    if (h.delegate->name.empty()) r.error(keyed(dpath, "name"), "delegate name is required");
    if (!h.delegate->namespace_.empty() && !is_dns1123_label(h.delegate->namespace_))
      r.error(keyed(dpath, "namespace"), fmt::format("delegate namespace \"{}\" is invalid", h.delegate->namespace_));
  }

  for (size_t i = 0; i < h.match.size(); ++i) check_match(r, indexed(keyed(path, "match"), i), h.match[i]);

  std::vector<std::optional<int32_t>> weights;
  for (size_t i = 0; i < h.route.size(); ++i) {
    const std::string dpath = indexed(keyed(path, "route"), i);
    check_destination(r, keyed(dpath, "destination"), h.route[i].destination);
    if (h.route[i].headers) check_header_operations(r, keyed(dpath, "headers"), *h.route[i].headers);
    weights.push_back(h.route[i].weight);
  }
  check_weights(r, keyed(path, "route"), weights);

  if (h.redirect) check_redirect(r, keyed(path, "redirect"), *h.redirect);
  if (h.rewrite) {
    check_rewrite(r, keyed(path, "rewrite"), *h.rewrite);
    if (!h.rewrite->authority.empty() && sets_authority(h.headers))
      r.error(keyed(path, "rewrite.authority"), "authority is set both by rewrite and by headers.request.set");
  }
  if (h.direct_response) check_direct_response(r, keyed(path, "directResponse"), *h.direct_response);
  check_duration(r, keyed(path, "timeout"), h.timeout);
  if (h.retries) check_retries(r, keyed(path, "retries"), *h.retries);
  if (h.fault) check_fault(r, keyed(path, "fault"), *h.fault);
  check_mirrors(r, path, h);
  if (h.cors_policy) check_cors(r, keyed(path, "corsPolicy"), *h.cors_policy);
  if (h.headers) check_header_operations(r, keyed(path, "headers"), *h.headers);
}

}  // namespace sy::config::detail
