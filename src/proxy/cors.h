// CORS (VirtualService corsPolicy), decided apart from the I/O: is this request a preflight the
// gateway answers itself, and which Access-Control-* headers go on the preflight answer or on
// the upstream's response. Runs after fault injection and before the router, as Istio orders
// its HTTP filters. Pure; any thread.
#pragma once

#include <string_view>

#include "http/message.h"
#include "policy/route_policies.h"

namespace sy::proxy {

struct CorsDecision {
  enum class Kind {
    kNotCors,          // no Origin, or an origin the policy does not allow (non-preflight)
    kAnswerPreflight,  // OPTIONS + Origin + Access-Control-Request-Method from an allowed origin
    kRejectPreflight,  // unmatched preflight under unmatchedPreflights: IGNORE (not forwarded)
    kForward,          // forward; decorate the response when `origin` is non-empty
  };
  Kind kind = Kind::kNotCors;
  std::string_view origin;  // the allowed Origin to echo; empty when the origin did not match
};

CorsDecision decide_cors(const policy::CorsPolicy& cors, const http::RequestHead& head);

// Headers of the gateway's answer to an allowed preflight.
void add_preflight_headers(const policy::CorsPolicy& cors, std::string_view origin, http::HeaderMap& out);

// Headers added to the response of an actual request from an allowed origin.
void add_cors_response_headers(const policy::CorsPolicy& cors, std::string_view origin, http::HeaderMap& out);

}  // namespace sy::proxy
