// Delegate VirtualServices (docs/semantics.md §3.1): how a root VirtualService's http rule with
// `delegate` is replaced by the delegate's rules, each merged with it. Pure functions on config
// types, following istio/istio's merge (pilot/pkg/model/virtualservice.go: mergeHTTPRoutes,
// mergeHTTPRoute, mergeHTTPMatchRequests, mergeHTTPMatchRequest, hasConflict, stringMatchConflict).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/model/config_set.h"

namespace sy::snapshot {

// True when `leaf` (a delegate's match block) cannot be narrowed into `root`: a field both set
// that the leaf does not stay within (regex on either side, exact vs. another value, a prefix or
// exact outside the root prefix), different ignoreUriCase, ports, sourceNamespace, a sourceLabel
// with another value, or gateways the root does not list.
bool match_conflicts(const config::HTTPMatchRequest& root, const config::HTTPMatchRequest& leaf);

// The AND of a root block and a non-conflicting delegate block: the delegate's fields win, unset
// ones come from the root; header/withoutHeaders/queryParams/sourceLabels maps are unioned (the
// delegate's value wins a shared key). Names combine "root-leaf".
config::HTTPMatchRequest merge_match(const config::HTTPMatchRequest& root, const config::HTTPMatchRequest& leaf);

// Every delegate block crossed with every root block it does not conflict with. nullopt when one
// delegate block fits no root block: the whole delegate rule is then dropped, as Istio does.
std::optional<std::vector<config::HTTPMatchRequest>> merge_matches(const std::vector<config::HTTPMatchRequest>& root,
                                                                   const std::vector<config::HTTPMatchRequest>& leaf);

// One delegate rule merged with the root rule that delegates to it, or nullopt on a match
// conflict. Unset fields inherit the root's: rewrite, directResponse, timeout, retries, fault,
// mirror, mirrorPercent, mirrorPercentage, corsPolicy, mirrors, headers. Names combine "root-leaf".
std::optional<config::HTTPRoute> merge_route(const config::HTTPRoute& root, const config::HTTPRoute& leaf);

// Istio resolves short names in each VirtualService's own namespace before merging (pilot
// push_context.go initVirtualServices), so a delegate's `reviews` is the delegate namespace's and
// the root's inherited mirror the root's. Qualifies destination and mirror hosts and match
// gateway references of `r` as written in namespace `ns`.
void qualify_references(config::HTTPRoute& r, const std::string& ns);

}  // namespace sy::snapshot
