#include "config/admission.h"

#include <algorithm>
#include <set>

#include "config/validate.h"

namespace sy::config {

namespace {

template <class T>
const char* kind_of();
template <>
const char* kind_of<Gateway>() {
  return "Gateway";
}
template <>
const char* kind_of<VirtualService>() {
  return "VirtualService";
}
template <>
const char* kind_of<DestinationRule>() {
  return "DestinationRule";
}
template <>
const char* kind_of<ServiceEntry>() {
  return "ServiceEntry";
}
template <>
const char* kind_of<WorkloadEntry>() {
  return "WorkloadEntry";
}
template <>
const char* kind_of<Secret>() {
  return "Secret";
}
template <>
const char* kind_of<KubeService>() {
  return "Service";
}
template <>
const char* kind_of<EndpointSlice>() {
  return "EndpointSlice";
}

std::string key_of(const std::string& kind, const std::string& ns_name) { return kind + "/" + ns_name; }

const Source& source_of(const AnyObject& o) {
  return std::visit([](const auto& x) -> const Source& { return x.source; }, o);
}

void validate_one(const AnyObject& o, Diagnostics& d) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, Gateway>) validate_gateway(x, d);
        if constexpr (std::is_same_v<T, VirtualService>) validate_virtual_service(x, d);
        if constexpr (std::is_same_v<T, DestinationRule>) validate_destination_rule(x, d);
        if constexpr (std::is_same_v<T, ServiceEntry>) validate_service_entry(x, d);
        if constexpr (std::is_same_v<T, WorkloadEntry>) validate_workload_entry(x, d);
        if constexpr (std::is_same_v<T, Secret>) validate_secret(x, d);
        if constexpr (std::is_same_v<T, KubeService>) validate_kube_service(x, d);
        if constexpr (std::is_same_v<T, EndpointSlice>) validate_endpoint_slice(x, d);
      },
      o);
}

template <class T>
void collect(std::vector<T>& in, std::vector<AnyObject>& out) {
  for (auto& x : in) out.emplace_back(std::move(x));
}

}  // namespace

std::string object_key(const AnyObject& o) {
  return std::visit(
      [](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        return key_of(kind_of<T>(), x.meta.namespace_ + "/" + x.meta.name);
      },
      o);
}

AdmissionResult AdmissionState::admit(LoadResult fresh) {
  AdmissionResult result;
  result.diagnostics = fresh.diagnostics;

  // Parse-level failures: whole files (YAML syntax, unreadable) and single objects.
  std::set<std::string> broken_files;
  std::map<std::string, std::vector<Diagnostic>> failed;
  for (const auto& d : fresh.diagnostics.items()) {
    if (d.severity != Severity::kError) continue;
    if (d.kind.empty()) broken_files.insert(d.file);
    else failed[key_of(d.kind, d.object)].push_back(d);
  }

  std::vector<AnyObject> loaded;
  collect(fresh.config.gateways, loaded);
  collect(fresh.config.virtual_services, loaded);
  collect(fresh.config.destination_rules, loaded);
  collect(fresh.config.service_entries, loaded);
  collect(fresh.config.workload_entries, loaded);
  collect(fresh.config.secrets, loaded);
  collect(fresh.config.services, loaded);
  collect(fresh.config.endpoint_slices, loaded);

  std::map<std::string, AnyObject> admitted;
  for (auto& o : loaded) {
    Diagnostics d;
    validate_one(o, d);
    result.diagnostics.append(d);
    std::string key = object_key(o);
    if (d.has_errors()) {
      auto& errs = failed[key];
      for (const auto& item : d.items())
        if (item.severity == Severity::kError) errs.push_back(item);
      continue;
    }
    admitted.emplace(std::move(key), std::move(o));
  }

  for (auto& [key, errors] : failed) {
    Rejection r{key, false, std::move(errors)};
    if (auto old = objects_.find(key); old != objects_.end() && !admitted.contains(key)) {
      admitted.emplace(key, old->second);
      r.kept_previous = true;
    }
    result.rejected.push_back(std::move(r));
  }
  for (const auto& file : broken_files) {
    Rejection r{"file:" + file, false, {}};
    for (const auto& d : fresh.diagnostics.items())
      if (d.file == file && d.kind.empty() && d.severity == Severity::kError) r.errors.push_back(d);
    // A config path that is missing (a directory deleted to be written again) keeps every
    // object of the files under it, as an unparseable file keeps its own.
    const std::string under = file.ends_with('/') ? file : file + "/";
    for (const auto& [held_by, keys] : keys_by_file_) {
      if (held_by != file && !held_by.starts_with(under)) continue;
      for (const auto& key : keys) {
        if (admitted.contains(key)) continue;
        if (auto old = objects_.find(key); old != objects_.end()) {
          admitted.emplace(key, old->second);
          r.kept_previous = true;
        }
      }
    }
    result.rejected.push_back(std::move(r));
  }

  // Order as a fresh load would (file path, then position in the file) so route merge order
  // does not depend on which objects were kept from an earlier version.
  std::vector<AnyObject*> ordered;
  for (auto& [_, o] : admitted) ordered.push_back(&o);
  std::stable_sort(ordered.begin(), ordered.end(), [](const AnyObject* a, const AnyObject* b) {
    const Source& sa = source_of(*a);
    const Source& sb = source_of(*b);
    return sa.file != sb.file ? sa.file < sb.file : sa.line < sb.line;
  });
  ConfigSet& cs = result.config;
  std::set<std::string> files(fresh.config.files.begin(), fresh.config.files.end());
  keys_by_file_.clear();
  int index = 0;
  for (AnyObject* o : ordered) {
    std::visit([&](auto& x) { x.source.index = index++; }, *o);
    keys_by_file_[source_of(*o).file].push_back(object_key(*o));
    files.insert(source_of(*o).file);
    std::visit(
        [&](auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, Gateway>) cs.gateways.push_back(x);
          if constexpr (std::is_same_v<T, VirtualService>) cs.virtual_services.push_back(x);
          if constexpr (std::is_same_v<T, DestinationRule>) cs.destination_rules.push_back(x);
          if constexpr (std::is_same_v<T, ServiceEntry>) cs.service_entries.push_back(x);
          if constexpr (std::is_same_v<T, WorkloadEntry>) cs.workload_entries.push_back(x);
          if constexpr (std::is_same_v<T, Secret>) cs.secrets.push_back(x);
          if constexpr (std::is_same_v<T, KubeService>) cs.services.push_back(x);
          if constexpr (std::is_same_v<T, EndpointSlice>) cs.endpoint_slices.push_back(x);
        },
        *o);
  }
  // A broken file still "holds" its previous objects for the next round.
  for (const auto& file : broken_files) {
    if (!keys_by_file_.contains(file)) keys_by_file_[file] = {};
  }
  cs.files.assign(files.begin(), files.end());
  objects_ = std::move(admitted);
  analyze(cs, result.diagnostics);
  return result;
}

}  // namespace sy::config
