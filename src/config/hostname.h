// Istio host-name rules shared by validation and compilation: short-name expansion,
// wildcard matching and gateway references.
#pragma once

#include <string>
#include <string_view>

namespace sy::config {

inline constexpr std::string_view kDefaultDomainSuffix = "cluster.local";

// `reviews` in namespace `ns` -> `reviews.ns.svc.cluster.local`. Names containing a dot, `*`,
// wildcards and IP addresses are returned unchanged (lower-cased).
std::string resolve_short_name(std::string_view host, std::string_view ns);

// Lower-case copy; host matching is case-insensitive.
std::string lower(std::string_view s);

bool is_wildcard(std::string_view host);

// True when `pattern` (exact, `*.suffix` or `*`) covers the concrete or wildcard name `host`.
// `*.example.com` covers `a.example.com`, `a.b.example.com` and `*.b.example.com`, never `example.com`.
bool host_covers(std::string_view pattern, std::string_view host);

// True when two host patterns can match at least one common name.
bool hosts_intersect(std::string_view a, std::string_view b);

// The more specific of two intersecting host patterns (Istio's gateway/VS host intersection).
std::string more_specific_host(std::string_view a, std::string_view b);

// A VirtualService gateway reference: `name` -> `<vs_ns>/name`; `ns/name` kept; legacy
// `name.ns.svc.cluster.local` -> `ns/name`; `mesh` stays `mesh`.
std::string resolve_gateway_ref(std::string_view ref, std::string_view vs_namespace);

// Splits a Gateway server host `ns/dnsName` into its namespace part ("*" when absent) and name.
struct ServerHost {
  std::string ns;
  std::string host;
};
ServerHost split_server_host(std::string_view s);

// Strips a trailing `:port` (IPv6 literals in brackets kept intact).
std::string_view strip_port(std::string_view authority);

bool is_ip_address(std::string_view s);

}  // namespace sy::config
