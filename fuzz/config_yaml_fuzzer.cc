// Fuzz target: the config path, from bytes in one YAML file to a published snapshot. Config is
// written by operators, not attackers, but a file that crashes or hangs the loader takes the
// gateway down on the next reload (or `switchyard validate` in CI), so it must fail cleanly.
// Input: the whole file. Runs what the binary runs on it:
//   1. config::load_string (YAML syntax, strict typing, unknown fields);
//   2. `switchyard validate`: validate + analyze over every object, rejected ones included;
//   3. the reload path (server/reloader.cc): admission, then snapshot::compile of what was admitted.
// Exceptions are deliberately not caught: nothing between a reload and the process catches them.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/admission.h"
#include "config/loader.h"
#include "config/validate.h"
#include "snapshot/compile.h"

namespace {

template <class T>
void append(std::vector<T>& into, const std::vector<T>& more) {
  into.insert(into.end(), more.begin(), more.end());
}

// Formats every diagnostic (they carry user text into messages) and returns how many there were.
std::size_t render(const sy::config::Diagnostics& d) {
  std::size_t n = 0;
  for (const auto& item : d.items()) n += item.to_string().empty() ? 0 : 1;
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sy;
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  config::LoadResult loaded = config::load_string(yaml, "fuzz.yaml");
  render(loaded.diagnostics);

  config::ConfigSet all = loaded.config;
  append(all.gateways, loaded.rejected.gateways);
  append(all.virtual_services, loaded.rejected.virtual_services);
  append(all.destination_rules, loaded.rejected.destination_rules);
  append(all.service_entries, loaded.rejected.service_entries);
  append(all.workload_entries, loaded.rejected.workload_entries);
  config::Diagnostics found;
  config::validate(all, found);
  render(found);

  config::AdmissionState admission;
  config::AdmissionResult admitted = admission.admit(std::move(loaded));
  render(admitted.diagnostics);
  const auto snap = snapshot::compile(admitted.config, snapshot::CompileOptions{});
  render(snap->diagnostics);
  return 0;
}
