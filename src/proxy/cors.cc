#include "proxy/cors.h"

namespace sy::proxy {

CorsDecision decide_cors(const policy::CorsPolicy& cors, const http::RequestHead& head) {
  CorsDecision d;
  auto origin = head.headers.get("origin");
  if (!origin || origin->empty()) return d;
  const bool allowed = cors.origin_allowed(*origin);
  auto requested_method = head.headers.get("access-control-request-method");
  const bool preflight = head.method == http::Method::Options && requested_method && !requested_method->empty();
  if (preflight) {
    if (allowed) return {CorsDecision::Kind::kAnswerPreflight, *origin};
    d.kind = cors.forward_unmatched_preflights ? CorsDecision::Kind::kForward : CorsDecision::Kind::kRejectPreflight;
    return d;
  }
  if (allowed) return {CorsDecision::Kind::kForward, *origin};
  return d;
}

void add_preflight_headers(const policy::CorsPolicy& cors, std::string_view origin, http::HeaderMap& out) {
  out.set("access-control-allow-origin", origin);
  if (cors.allow_credentials) out.set("access-control-allow-credentials", "true");
  if (!cors.allow_methods.empty()) out.set("access-control-allow-methods", cors.allow_methods);
  if (!cors.allow_headers.empty()) out.set("access-control-allow-headers", cors.allow_headers);
  if (!cors.max_age.empty()) out.set("access-control-max-age", cors.max_age);
}

void add_cors_response_headers(const policy::CorsPolicy& cors, std::string_view origin, http::HeaderMap& out) {
  out.set("access-control-allow-origin", origin);
  if (cors.allow_credentials) out.set("access-control-allow-credentials", "true");
  if (!cors.expose_headers.empty()) out.set("access-control-expose-headers", cors.expose_headers);
}

}  // namespace sy::proxy
