// Consistent-hash key extraction (DestinationRule loadBalancer.consistentHash): turns a request
// into the 64-bit value fed to the ring/Maglev balancer as PickContext::hash, and, for a cookie
// policy with a ttl, the Set-Cookie to send when the client had no cookie yet. Pure; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"
#include "policy/cluster_policy.h"

namespace sy::proxy {

struct HashKey {
  // Absent when the request carries no key (no header/cookie/parameter): the balancer then picks
  // at random, as Envoy does.
  std::optional<uint64_t> hash;
  // Value of a Set-Cookie header to add to the upstream's response; empty when none.
  std::string set_cookie;
};

// `peer_ip` is the client address without port (useSourceIp); `peer` identifies the client
// connection ("ip:port") and seeds a generated cookie, so one connection keeps one value.
HashKey extract_hash_key(const policy::ConsistentHashPolicy& policy, const http::RequestHead& head,
                         std::string_view peer_ip, std::string_view peer);

// The value of cookie `name` in the request's Cookie header(s), unquoted; nullopt when absent.
std::optional<std::string_view> find_cookie(const http::HeaderMap& headers, std::string_view name);

// The first value of query parameter `name` in `path` ("?a=1&b" gives "" for b); nullopt when absent.
std::optional<std::string_view> find_query_parameter(std::string_view path, std::string_view name);

}  // namespace sy::proxy
