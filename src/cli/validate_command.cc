#include <algorithm>
#include <cstdio>

#include "cli/commands.h"
#include "config/loader.h"
#include "config/validate.h"

namespace sy::cli {

int run_validate(const ValidateOptions& opts) {
  config::LoadResult loaded = config::load_paths(opts.paths);
  config::Diagnostics diags = loaded.diagnostics;
  config::validate(loaded.config, diags);

  std::vector<config::Diagnostic> items = diags.items();
  // File order, then line: the order a user reads their files in.
  std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return a.file != b.file ? a.file < b.file : a.line < b.line;
  });
  for (const auto& d : items) std::printf("%s\n", d.to_string().c_str());

  const auto& c = loaded.config;
  size_t objects = c.gateways.size() + c.virtual_services.size() + c.destination_rules.size() +
                   c.service_entries.size() + c.workload_entries.size();
  std::fprintf(stderr, "%zu error(s), %zu warning(s); %zu object(s) in %zu file(s)\n", diags.error_count(),
               diags.warning_count(), objects, c.files.size());
  return diags.has_errors() ? 1 : 0;
}

}  // namespace sy::cli
