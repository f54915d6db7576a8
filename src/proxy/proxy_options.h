// The settings of `switchyard serve` that every worker applies to each client connection and
// request the same way: deadlines, limits on what a client may send, and how far its headers are
// trusted. Filled by the CLI, copied into each WorkerContext, never changed while serving.
#pragma once

#include <chrono>
#include <cstdint>

#include "http/http1/parse_result.h"
#include "http/path_normalization.h"

namespace sy::proxy {

struct ProxyOptions {
  // A client must send a whole request head within this, counted from its first byte; a client
  // trickling one byte at a time gains nothing.
  std::chrono::milliseconds header_read{60'000};
  std::chrono::milliseconds idle{300'000};  // keep-alive connection with no request
  // Longest silence while a request is under way: reading its body, reading the upstream's
  // response body, writing to the client (Envoy's stream_idle_timeout, same default).
  std::chrono::milliseconds stream_idle{300'000};
  std::chrono::milliseconds dns_refresh{60'000};  // re-resolution of DNS cluster names (Istio's dnsRefreshRate)
  // How a request path is normalized before routing (Istio's meshConfig.pathNormalization).
  http::PathNormalization path_normalization = http::PathNormalization::kBase;
  // Proxies in front of this one whose X-Forwarded-Proto is believed (Istio's numTrustedProxies).
  // 0: the scheme is the connection's own.
  uint32_t trusted_proxies = 0;
  // SETTINGS_MAX_CONCURRENT_STREAMS of client HTTP/2 connections (--h2-max-concurrent-streams);
  // Envoy's edge-proxy value.
  uint32_t h2_max_concurrent_streams = 100;
  // What a client's request head may hold (max_fields: --max-request-headers).
  http::h1::ParserLimits request_limits;
};

}  // namespace sy::proxy
