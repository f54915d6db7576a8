// The http rules a VirtualService compiles into, after Istio's delegate expansion (pilot
// push_context.go initVirtualServices → model/virtualservice.go mergeVirtualServicesIfNeeded): a
// root rule with `delegate` becomes the delegate VirtualService's rules, in order, each merged
// with it (delegate_merge.h). The delegate is looked up among VirtualServices without hosts and
// must be exported to the root's namespace; otherwise only that root rule is dropped. A delegate
// on its own is never attached to a host, so it serves nothing. Expanded once per compile.
#include <fmt/format.h>

#include "snapshot/compile_context.h"
#include "snapshot/delegate_merge.h"

namespace sy::snapshot::detail {
namespace {

std::string object_of(const config::VirtualService& vs) { return vs.meta.namespace_ + "/" + vs.meta.name; }

// Index of the delegate VirtualService `ns/name` (one without hosts), or kNoVirtualService.
uint32_t find_delegate(const CompileContext& ctx, const std::string& ns, const std::string& name) {
  for (uint32_t i = 0; i < ctx.virtual_services.size(); ++i) {
    const config::VirtualService& vs = *ctx.virtual_services[i];
    if (vs.hosts.empty() && vs.meta.name == name && vs.meta.namespace_ == ns) return i;
  }
  return kNoVirtualService;
}

// Why root `root`'s delegate `d` cannot be used (empty when it can); *index receives its index.
std::string delegate_problem(const CompileContext& ctx, const config::VirtualService& root, const config::Delegate& d,
                             uint32_t* index) {
  const std::string ns = d.namespace_.empty() ? root.meta.namespace_ : d.namespace_;
  *index = find_delegate(ctx, ns, d.name);
  if (*index == kNoVirtualService)
    return fmt::format("delegate VirtualService {}/{} not found (a delegate is a VirtualService without hosts)", ns,
                       d.name);
  const config::VirtualService& del = *ctx.virtual_services[*index];
  if (!policy::exported_to(del.export_to, del.meta.namespace_, root.meta.namespace_))
    return fmt::format("delegate VirtualService {}/{} is not exported to namespace {}", ns, d.name,
                       root.meta.namespace_);
  return "";
}

// Appends the delegate's rules merged with root rule `i` to `out`.
void merge_delegate(CompileContext& ctx, const config::VirtualService& root, uint32_t i, uint32_t del_index,
                    ExpandedRules& out) {
  const config::VirtualService& del = *ctx.virtual_services[del_index];
  config::HTTPRoute root_rule = root.http[i];
  qualify_references(root_rule, root.meta.namespace_);
  for (uint32_t j = 0; j < del.http.size(); ++j) {
    const std::string where =
        fmt::format("{} http[{}] (delegate of {} http[{}])", object_of(del), j, object_of(root), i);
    if (del.http[j].delegate) {
      out.dropped.push_back(where + ": a delegate cannot delegate again (one level only)");
      continue;
    }
    config::HTTPRoute leaf = del.http[j];
    qualify_references(leaf, del.meta.namespace_);
    std::optional<config::HTTPRoute> merged = merge_route(root_rule, leaf);
    if (!merged) {
      out.dropped.push_back(where +
                            ": one of its matches fits no match of the root rule (Istio's delegate conflict rules)");
      ctx.warn("VirtualService", object_of(del), del.source, fmt::format("spec.http[{}].match", j),
               fmt::format("a match of this rule is not within any match of root {} http[{}] (Istio's delegate "
                           "conflict rules); rule dropped for that root",
                           object_of(root), i));
      continue;
    }
    ctx.merged_rules.push_back(std::move(*merged));
    out.rules.push_back({&ctx.merged_rules.back(), i, del_index, j});
  }
}

ExpandedRules expand(CompileContext& ctx, const config::VirtualService& vs) {
  ExpandedRules out;
  for (uint32_t i = 0; i < vs.http.size(); ++i) {
    const config::HTTPRoute& r = vs.http[i];
    if (!r.delegate) {
      out.rules.push_back({&r, i, kNoVirtualService, 0});
      continue;
    }
    uint32_t del_index = kNoVirtualService;
    if (std::string why = delegate_problem(ctx, vs, *r.delegate, &del_index); !why.empty()) {
      out.dropped.push_back(fmt::format("{} http[{}]: {}", object_of(vs), i, why));
      ctx.warn("VirtualService", object_of(vs), vs.source, fmt::format("spec.http[{}].delegate", i),
               why + "; rule ignored, as Istio does");
      continue;
    }
    merge_delegate(ctx, vs, i, del_index, out);
  }
  return out;
}

}  // namespace

const ExpandedRules& expanded_rules(CompileContext& ctx, uint32_t vs_index) {
  auto it = ctx.expanded.find(vs_index);
  if (it == ctx.expanded.end()) it = ctx.expanded.emplace(vs_index, expand(ctx, *ctx.virtual_services[vs_index])).first;
  return it->second;
}

}  // namespace sy::snapshot::detail
