// Table-driven test harness for validation and analysis: YAML snippet in, expected diagnostics
// out. Each expectation must match some diagnostic, and every diagnostic must be expected, so a
// case also fails when a validator reports something extra. Test-only; included by *_test.cc.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "config/loader.h"
#include "config/validate.h"

namespace sy::config::testing {

struct Expect {
  std::string path;     // substring of Diagnostic::path
  std::string message;  // substring of Diagnostic::message
  Severity severity = Severity::kError;
};

inline Expect warn(std::string path, std::string message) {
  return {std::move(path), std::move(message), Severity::kWarning};
}

struct Case {
  std::string name;
  std::string yaml;
  std::vector<Expect> expect;  // empty => clean
};

// Which checks a table runs.
enum class Run { kObjects, kAnalyze, kAll };

// One networking.istio.io object; `spec` is written at column 0 and indented under `spec:`.
inline std::string object(std::string_view kind, std::string_view spec, std::string_view name = "x",
                          std::string_view ns = "default") {
  std::string out = "---\napiVersion: networking.istio.io/v1\nkind: " + std::string(kind) +
                    "\nmetadata:\n  name: " + std::string(name) + "\n  namespace: " + std::string(ns) + "\nspec:\n";
  size_t start = 0;
  if (!spec.empty() && spec.front() == '\n') start = 1;
  while (start < spec.size()) {
    size_t nl = spec.find('\n', start);
    std::string_view line = spec.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (!line.empty()) out += "  " + std::string(line) + "\n";
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return out;
}
inline std::string vs(std::string_view spec, std::string_view name = "x", std::string_view ns = "default") {
  return object("VirtualService", spec, name, ns);
}
inline std::string gw(std::string_view spec, std::string_view name = "x", std::string_view ns = "default") {
  return object("Gateway", spec, name, ns);
}
inline std::string dr(std::string_view spec, std::string_view name = "x", std::string_view ns = "default") {
  return object("DestinationRule", spec, name, ns);
}
inline std::string se(std::string_view spec, std::string_view name = "x", std::string_view ns = "default") {
  return object("ServiceEntry", spec, name, ns);
}
inline std::string we(std::string_view spec, std::string_view name = "x", std::string_view ns = "default") {
  return object("WorkloadEntry", spec, name, ns);
}

inline std::string dump(const Diagnostics& d) {
  std::string out;
  for (const auto& item : d.items()) out += "    " + item.to_string() + "\n";
  return out.empty() ? "    (none)\n" : out;
}

inline bool matches(const Expect& e, const Diagnostic& d) {
  return d.severity == e.severity && d.path.find(e.path) != std::string::npos &&
         d.message.find(e.message) != std::string::npos;
}

inline void run_checks(const ConfigSet& config, Run run, Diagnostics& out) {
  if (run == Run::kAll) return validate(config, out);
  if (run == Run::kAnalyze) return analyze(config, out);
  for (const auto& o : config.gateways) validate_gateway(o, out);
  for (const auto& o : config.virtual_services) validate_virtual_service(o, out);
  for (const auto& o : config.destination_rules) validate_destination_rule(o, out);
  for (const auto& o : config.service_entries) validate_service_entry(o, out);
  for (const auto& o : config.workload_entries) validate_workload_entry(o, out);
  for (const auto& o : config.services) validate_kube_service(o, out);
  for (const auto& o : config.endpoint_slices) validate_endpoint_slice(o, out);
}

inline void run_case(const Case& c, Run run) {
  SCOPED_TRACE(c.name);
  LoadResult loaded = load_string(c.yaml, "case.yaml");
  ASSERT_TRUE(loaded.diagnostics.items().empty()) << c.name << ": snippet does not parse:\n"
                                                  << dump(loaded.diagnostics) << c.yaml;
  Diagnostics got;
  run_checks(loaded.config, run, got);
  if (std::getenv("SY_DUMP_DIAGNOSTICS")) std::fprintf(stderr, "%s:\n%s", c.name.c_str(), dump(got).c_str());
  for (const auto& e : c.expect) {
    bool found = false;
    for (const auto& d : got.items()) found = found || matches(e, d);
    EXPECT_TRUE(found) << c.name << ": missing " << (e.severity == Severity::kError ? "error" : "warning") << " at \""
                       << e.path << "\" containing \"" << e.message << "\"; got:\n"
                       << dump(got);
  }
  for (const auto& d : got.items()) {
    bool expected = false;
    for (const auto& e : c.expect) expected = expected || matches(e, d);
    EXPECT_TRUE(expected) << c.name << ": unexpected " << d.to_string();
  }
  for (const auto& d : got.items()) EXPECT_GT(d.line, 0) << c.name << ": no line for " << d.to_string();
}

inline void run_table(const std::vector<Case>& cases, Run run) {
  for (const auto& c : cases) run_case(c, run);
}

}  // namespace sy::config::testing
