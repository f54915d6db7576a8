#include "proxy/request_preparation.h"

#include "proxy/local_reply.h"

namespace sy::proxy {

std::string_view make_request_id(Random& rng, std::array<char, 36>& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t hi = rng.next(), lo = rng.next();
  hi = (hi & ~0xF000ull) | 0x4000ull;                         // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // RFC 4122 variant
  out.fill('-');
  int pos = 0;
  auto put = [&](uint64_t v, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
      out[pos++] = kHex[(v >> (i * 4)) & 0xF];
    }
  };
  put(hi, 16);
  put(lo, 16);
  return {out.data(), out.size()};
}

bool has_request_body(const http::RequestHead& head) {
  return http::length_unknown(head.framing) ||
         (head.framing == http::BodyFraming::ContentLength && head.content_length.value_or(0) > 0);
}

bool is_non_idempotent(const http::RequestHead& head) {
  if (head.method == http::Method::Post || head.method == http::Method::Patch) return true;
  return has_request_body(head) && !head.headers.contains("idempotency-key");
}

namespace {

// The `host`/`:authority` one level's request operations give, if any: pilot turns it into a host
// rewrite, from `set` or else from `add`.
std::optional<std::string_view> authority_set_by(const policy::HeaderOps& ops) {
  for (const auto* list : {&ops.set, &ops.add}) {
    std::optional<std::string_view> found;
    for (const auto& [name, value] : *list)
      if (name == "host" || name == ":authority") found = value;
    if (found) return found;
  }
  return std::nullopt;
}

void append_forwarded_for(http::HeaderMap& h, std::string_view peer_address) {
  if (auto xff = h.get("x-forwarded-for")) {
    std::string joined(*xff);
    joined += ", ";
    joined += peer_address;
    h.set("x-forwarded-for", joined);
  } else {
    h.add("x-forwarded-for", peer_address);
  }
}

}  // namespace

std::optional<std::string_view> upstream_authority(const snapshot::RouteAction& action,
                                                   const snapshot::RouteDestination& destination) {
  // The route's own authority (rewrite.authority, or headers.request.set of host, which Istio
  // turns into the same host rewrite; validation refuses both at once) wins; pilot applies the
  // destination's only when the route sets none.
  if (!action.rewrite.authority().empty()) return action.rewrite.authority();
  if (auto route = authority_set_by(action.headers.request)) return route;
  return authority_set_by(destination.headers.request);
}

void prepare_upstream_request(http::RequestHead& head, const snapshot::RouteAction& action,
                              const snapshot::RouteDestination& destination, std::string_view peer_address, Random& rng,
                              bool edge, std::string_view client_cert) {
  http::HeaderMap& h = head.headers;
  if (auto path = action.rewrite.apply(head.path)) {
    h.set("x-envoy-original-path", head.path);
    head.path = h.intern(*path);
  }

  // 100-continue is answered by the gateway itself; the upstream gets the body directly.
  h.remove("expect");
  // Only WebSocket is offered upstream, whatever else the client listed ("websocket, h2c").
  if (head.upgrade) h.set("upgrade", "websocket");
  if (edge) append_forwarded_for(h, peer_address);
  // head.scheme is the connection's, or a trusted proxy's X-Forwarded-Proto (request_flow).
  if (edge) h.set("x-forwarded-proto", head.scheme);
  else if (!h.contains("x-forwarded-proto")) h.add("x-forwarded-proto", head.scheme);
  // At the edge a client's own x-forwarded-client-cert is never passed on; a verified client
  // certificate is described afresh (Istio's gateway default, SANITIZE_SET).
  if (edge) {
    h.remove("x-forwarded-client-cert");
    if (!client_cert.empty()) h.add("x-forwarded-client-cert", client_cert);
  }
  if (!h.contains("x-request-id")) {
    std::array<char, 36> id;
    h.add("x-request-id", make_request_id(rng, id));
  }

  // Which level wins on `set` depends on how many destinations the route has (pilot's translation).
  apply_route_header_ops(action.headers.request, destination.headers.request, action.destinations.size() <= 1, h);
  if (auto authority = upstream_authority(action, destination)) head.authority = h.intern(*authority);
  h.remove("host");
}

}  // namespace sy::proxy
