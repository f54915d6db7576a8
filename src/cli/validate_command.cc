#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

#include "cli/commands.h"
#include "config/loader.h"
#include "config/validate.h"
#include "snapshot/compile.h"

namespace sy::cli {
namespace {

// Appends `extra` to `into` and restores load order (Source::index), so analyzers see the
// objects in the order the files list them whichever of the two sets they came from.
template <class T>
void merge_in_load_order(std::vector<T>& into, const std::vector<T>& extra) {
  into.insert(into.end(), extra.begin(), extra.end());
  std::stable_sort(into.begin(), into.end(), [](const T& a, const T& b) { return a.source.index < b.source.index; });
}

// True when one path is the other or inside it ("spec.http[1]" and "spec.http[1].route[0].weight").
bool related(const std::string& a, const std::string& b) {
  auto within = [](const std::string& inner, const std::string& outer) {
    return inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 &&
           (inner[outer.size()] == '.' || inner[outer.size()] == '[');
  };
  return a.empty() || b.empty() || a == b || within(a, b) || within(b, a);
}

}  // namespace

int run_validate(const ValidateOptions& opts) {
  config::LoadResult loaded = config::load_paths(opts.paths);

  // Validate the objects that failed to parse as well (with the fields that did parse), so one run
  // shows every problem. A validation finding at or around a field that failed to parse is the
  // same mistake seen twice (a wrong-typed required field also reads as "missing"), so it is dropped.
  config::ConfigSet all = loaded.config;
  merge_in_load_order(all.gateways, loaded.rejected.gateways);
  merge_in_load_order(all.virtual_services, loaded.rejected.virtual_services);
  merge_in_load_order(all.destination_rules, loaded.rejected.destination_rules);
  merge_in_load_order(all.service_entries, loaded.rejected.service_entries);
  merge_in_load_order(all.workload_entries, loaded.rejected.workload_entries);
  merge_in_load_order(all.secrets, loaded.rejected.secrets);
  merge_in_load_order(all.services, loaded.rejected.services);
  merge_in_load_order(all.endpoint_slices, loaded.rejected.endpoint_slices);
  config::Diagnostics found;
  config::validate(all, found);

  using ObjectKey = std::tuple<std::string, std::string, std::string>;  // file, kind, ns/name
  std::map<ObjectKey, std::vector<std::string>> parse_failures;
  for (const auto& d : loaded.diagnostics.items())
    if (d.severity == config::Severity::kError && !d.kind.empty())
      parse_failures[{d.file, d.kind, d.object}].push_back(d.path);

  std::vector<config::Diagnostic> items = loaded.diagnostics.items();
  for (const auto& d : found.items()) {
    auto it = parse_failures.find({d.file, d.kind, d.object});
    if (it != parse_failures.end() &&
        std::any_of(it->second.begin(), it->second.end(), [&](const std::string& p) { return related(d.path, p); }))
      continue;
    items.push_back(d);
  }
  // What serve would say when it compiles this config: settings accepted but not (or not yet) in
  // force, servers left closed, clusters that answer 503. Said once, whichever step saw it.
  snapshot::CompileOptions copts;
  copts.proxy_namespace = opts.proxy_namespace;
  copts.locality = opts.locality;
  copts.workload = snapshot::read_workload_identity(opts.workload_cert, opts.workload_key, opts.workload_ca);
  copts.trust_domain = opts.trust_domain;
  auto snap = snapshot::compile(loaded.config, copts);
  std::set<std::string> said;
  for (const auto& d : items) said.insert(d.to_string());
  for (const auto& d : snap->diagnostics.items()) {
    // Istio's analysis codes (IST0109 and the like) are the analyzer's to report, by istioctl's
    // rules over every object; the compiler only notes what it did with the objects it used.
    if (d.message.starts_with("IST")) continue;
    if (said.insert(d.to_string()).second) items.push_back(d);
  }
  // File order, then line: the order a user reads their files in.
  std::stable_sort(items.begin(), items.end(),
                   [](const auto& a, const auto& b) { return a.file != b.file ? a.file < b.file : a.line < b.line; });
  size_t errors = 0, warnings = 0;
  for (const auto& d : items) {
    std::printf("%s\n", d.to_string().c_str());
    (d.severity == config::Severity::kError ? errors : warnings)++;
  }

  const auto& c = all;
  size_t objects = c.gateways.size() + c.virtual_services.size() + c.destination_rules.size() +
                   c.service_entries.size() + c.workload_entries.size() + c.secrets.size() + c.services.size() +
                   c.endpoint_slices.size();
  std::fprintf(stderr, "%zu error(s), %zu warning(s); %zu object(s) in %zu file(s)\n", errors, warnings, objects,
               c.files.size());
  return errors > 0 ? 1 : 0;
}

}  // namespace sy::cli
