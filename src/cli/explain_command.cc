#include <cstdio>

#include "cli/commands.h"
#include "config/loader.h"
#include "config/validate.h"
#include "explain/explain.h"
#include "snapshot/compile.h"

namespace sy::cli {

int run_explain(const ExplainOptions& opts) {
  config::LoadResult loaded = config::load_paths(opts.config_paths);
  for (const auto& d : loaded.diagnostics.items()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
  if (loaded.config.files.empty()) {
    std::fprintf(stderr, "explain: no configuration found\n");
    return 1;
  }

  explain::ExplainRequest req;
  req.method = opts.method;
  req.url = opts.url;
  if (opts.mesh) {
    req.gateway = "mesh";
  } else if (!opts.gateway.empty()) {
    req.gateway = opts.gateway;
  } else if (loaded.config.gateways.size() == 1) {
    // The common case: one Gateway in the config, so it is the one receiving the request.
    const auto& gw = loaded.config.gateways.front();
    req.gateway = gw.meta.namespace_ + "/" + gw.meta.name;
  } else {
    req.gateway = "mesh";
  }
  for (const auto& h : opts.headers) {
    auto colon = h.find(':');
    if (colon == std::string::npos) {
      std::fprintf(stderr, "explain: header \"%s\" is not 'Name: value'\n", h.c_str());
      return 1;
    }
    std::string value = h.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(value.begin());
    req.headers.emplace_back(h.substr(0, colon), value);
  }

  snapshot::CompileOptions copts;
  auto snap = snapshot::compile(loaded.config, copts);
  explain::ExplainResult result = explain::explain(*snap, req);
  if (opts.json) {
    std::printf("%s\n", result.to_json().dump(2).c_str());
  } else {
    std::printf("%s", result.to_text().c_str());
  }
  if (result.outcome == explain::ExplainResult::Outcome::kBadRequest) return 1;
  return result.matched || result.outcome == explain::ExplainResult::Outcome::kHttpsRedirect ? 0 : 2;
}

}  // namespace sy::cli
