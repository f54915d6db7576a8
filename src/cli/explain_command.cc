#include <cstdio>

#include <fmt/format.h>

#include "cli/commands.h"
#include "config/loader.h"
#include "config/validate.h"
#include "explain/explain.h"
#include "snapshot/compile.h"

namespace sy::cli {
namespace {

std::string gateway_list(const config::ConfigSet& c) {
  std::vector<std::string> names;
  for (const auto& gw : c.gateways) names.push_back(gw.meta.namespace_ + "/" + gw.meta.name);
  return names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "));
}

// Turns --gateway/--mesh into "ns/name" or "mesh"; empty plus a message on stderr when the choice
// is impossible or ambiguous (exit 1: the user must say which).
std::string resolve_gateway(const ExplainOptions& opts, const config::ConfigSet& c) {
  if (opts.mesh || opts.gateway == "mesh") return "mesh";
  if (opts.gateway.empty()) {
    if (c.gateways.empty()) return "mesh";  // nothing else could receive it
    if (c.gateways.size() == 1) return c.gateways.front().meta.namespace_ + "/" + c.gateways.front().meta.name;
    std::fprintf(stderr, "explain: the config has several Gateways (%s); pass --gateway NAME or --mesh\n",
                 gateway_list(c).c_str());
    return "";
  }
  const bool qualified = opts.gateway.find('/') != std::string::npos;
  std::vector<std::string> found;
  for (const auto& gw : c.gateways) {
    std::string full = gw.meta.namespace_ + "/" + gw.meta.name;
    if (qualified ? full == opts.gateway : gw.meta.name == opts.gateway) found.push_back(full);
  }
  if (found.size() == 1) return found.front();
  if (found.empty())
    std::fprintf(stderr, "explain: no Gateway \"%s\" in the config (Gateways: %s)\n", opts.gateway.c_str(),
                 gateway_list(c).c_str());
  else
    std::fprintf(stderr, "explain: Gateway name \"%s\" is ambiguous (%s); pass NAMESPACE/NAME\n", opts.gateway.c_str(),
                 fmt::format("{}", fmt::join(found, ", ")).c_str());
  return "";
}

}  // namespace

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
  req.gateway = resolve_gateway(opts, loaded.config);
  if (req.gateway.empty()) return 1;
  for (const auto& h : opts.headers) {
    auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0) {
      std::fprintf(stderr, "explain: header \"%s\" is not 'Name: value'\n", h.c_str());
      return 1;
    }
    std::string value = h.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(value.begin());
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    req.headers.emplace_back(h.substr(0, colon), value);
  }

  snapshot::CompileOptions copts;
  copts.locality = opts.locality;
  auto snap = snapshot::compile(loaded.config, copts);
  explain::ExplainResult result = explain::explain(*snap, req);
  if (opts.json) {
    std::printf("%s\n", result.to_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::printf("%s", result.to_text().c_str());
  }
  // 0: the gateway answers by itself or forwards (route, redirect, direct response, httpsRedirect);
  // 2: 404, nothing routes it; 1: the request itself was unusable.
  using Outcome = explain::ExplainResult::Outcome;
  switch (result.outcome) {
    case Outcome::kRouted:
    case Outcome::kRedirect:
    case Outcome::kDirectResponse:
    case Outcome::kHttpsRedirect:
      return 0;
    case Outcome::kNotFound:
      return 2;
    case Outcome::kBadRequest:
      return 1;
  }
  return 1;
}

}  // namespace sy::cli
