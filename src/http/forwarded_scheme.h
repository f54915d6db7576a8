// The scheme a request was made with, as routing (`match.scheme`, httpsRedirect) and the
// upstream's X-Forwarded-Proto see it. It comes from the connection — TLS or not — and, behind
// trusted proxies (Istio's numTrustedProxies), from the X-Forwarded-Proto they set. Never from
// an absolute-form request target: `GET https://host/ HTTP/1.1` sent in plaintext is still http,
// or a client could skip httpsRedirect and satisfy `scheme: https` matches. Pure; any thread.
#pragma once

#include <cstdint>
#include <string_view>

#include "http/header_map.h"

namespace sy::http {

std::string_view forwarded_scheme(const HeaderMap& headers, bool connection_is_tls, uint32_t trusted_proxies);

}  // namespace sy::http
