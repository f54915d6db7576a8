// Edits a client request into what is sent upstream: rewrites, header operations, forwarding
// headers (X-Forwarded-For/-Proto, x-request-id) and hop-by-hop cleanup. Pure; one worker.
#pragma once

#include <array>
#include <optional>
#include <string_view>

#include "core/random.h"
#include "http/message.h"
#include "snapshot/snapshot.h"

namespace sy::proxy {

// `edge`: the request came from outside the mesh (a gateway listener), so the peer is appended to
// X-Forwarded-For and X-Forwarded-Proto is set from the connection; on the mesh listener both are
// left as the client sent them (Envoy's use_remote_address, true on Istio gateways, false on a
// sidecar's outbound side, where Envoy appends nothing to XFF).
void prepare_upstream_request(http::RequestHead& head, const snapshot::RouteAction& action,
                              const snapshot::RouteDestination& destination, std::string_view peer_address, Random& rng,
                              bool edge, std::string_view client_cert = {});

// The Host/:authority sent upstream when the route or the destination changes it: the route
// level wins over the destination level, as pilot builds it. nullopt keeps the client's.
std::optional<std::string_view> upstream_authority(const snapshot::RouteAction& action,
                                                   const snapshot::RouteDestination& destination);

// A version-4 UUID text for x-request-id, written into `out`.
std::string_view make_request_id(Random& rng, std::array<char, 36>& out);

// Content-Length above 0, or chunked: the client uploads a body.
bool has_request_body(const http::RequestHead& head);

// POST/PATCH, or any request with a body and no idempotency-key header.
bool is_non_idempotent(const http::RequestHead& head);

}  // namespace sy::proxy
