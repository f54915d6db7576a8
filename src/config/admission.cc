#include "config/admission.h"

#include <algorithm>
#include <set>
#include <tuple>

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

// Every object of `set`, of every kind, in the order the kinds are compiled.
void collect_all(ConfigSet& set, std::vector<AnyObject>& out) {
  collect(set.gateways, out);
  collect(set.virtual_services, out);
  collect(set.destination_rules, out);
  collect(set.service_entries, out);
  collect(set.workload_entries, out);
  collect(set.secrets, out);
  collect(set.services, out);
  collect(set.endpoint_slices, out);
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

bool AdmissionState::reusable(const std::string& file, uint64_t content_hash) const {
  auto it = files_.find(file);
  return it != files_.end() && it->second.content_hash == content_hash;
}

AnyObject AdmissionState::copy_of(const Place& p) const {
  const ConfigSet& c = *last_;
  switch (p.kind) {
    case 0:
      return c.gateways[p.index];
    case 1:
      return c.virtual_services[p.index];
    case 2:
      return c.destination_rules[p.index];
    case 3:
      return c.service_entries[p.index];
    case 4:
      return c.workload_entries[p.index];
    case 5:
      return c.secrets[p.index];
    case 6:
      return c.services[p.index];
    default:
      return c.endpoint_slices[p.index];
  }
}

AdmissionResult AdmissionState::admit(LoadResult fresh) {
  AdmissionResult result;
  result.diagnostics = fresh.diagnostics;
  // Unchanged files say again what they said when they were parsed (warnings only: they were clean).
  for (const auto& file : fresh.reused)
    if (auto memo = files_.find(file); memo != files_.end())
      for (const auto& d : memo->second.diagnostics) result.diagnostics.add(d);

  // Parse-level failures: whole files (YAML syntax, unreadable) and single objects.
  std::set<std::string> broken_files;
  std::map<std::string, std::vector<Diagnostic>> failed;
  for (const auto& d : fresh.diagnostics.items()) {
    if (d.severity != Severity::kError) continue;
    if (d.kind.empty()) broken_files.insert(d.file);
    else failed[key_of(d.kind, d.object)].push_back(d);
  }

  std::vector<AnyObject> loaded;
  collect_all(fresh.config, loaded);
  std::map<std::string, size_t> parsed_per_file;  // objects each parsed file gave, admitted or not
  for (const auto& o : loaded) ++parsed_per_file[source_of(o).file];
  std::vector<AnyObject> parse_rejected;
  collect_all(fresh.rejected, parse_rejected);
  for (const auto& o : parse_rejected) ++parsed_per_file[source_of(o).file];

  // One object per key; of two with the same key the earlier in load order (file path, then
  // position) wins, as the first of a fresh load does.
  std::map<std::string, AnyObject> admitted;
  auto admit_one = [&](std::string key, AnyObject&& o) {
    auto [it, inserted] = admitted.try_emplace(std::move(key), std::move(o));
    if (inserted) return;
    const Source& kept = source_of(it->second);
    const Source& other = source_of(o);
    if (std::tie(other.file, other.line) < std::tie(kept.file, kept.line)) it->second = std::move(o);
  };
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
    admit_one(std::move(key), std::move(o));
  }
  // Unchanged files: their objects as admitted last time (they were valid then and still are).
  for (const auto& file : fresh.reused) {
    auto held = keys_by_file_.find(file);
    if (held == keys_by_file_.end()) continue;
    for (const auto& key : held->second)
      if (auto at = objects_.find(key); at != objects_.end()) admit_one(key, copy_of(at->second));
  }

  for (auto& [key, errors] : failed) {
    Rejection r{key, false, std::move(errors)};
    if (auto old = objects_.find(key); old != objects_.end() && !admitted.contains(key)) {
      admitted.emplace(key, copy_of(old->second));
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
          admitted.emplace(key, copy_of(old->second));
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
  remember_files(fresh, result.diagnostics, ordered, parsed_per_file);

  auto cs = std::make_shared<ConfigSet>();
  std::set<std::string> files(fresh.config.files.begin(), fresh.config.files.end());
  previous_last_ = last_;
  previous_objects_ = std::move(objects_);
  previous_keys_by_file_ = std::move(keys_by_file_);
  last_reused_ = fresh.reused;
  keys_by_file_.clear();
  objects_.clear();
  int index = 0;
  for (AnyObject* o : ordered) {
    std::visit([&](auto& x) { x.source.index = index++; }, *o);
    std::string key = object_key(*o);
    keys_by_file_[source_of(*o).file].push_back(key);
    files.insert(source_of(*o).file);
    const size_t kind = o->index();
    std::visit(
        [&](auto& x) {
          auto place = [&](auto& list) {
            objects_.emplace(std::move(key), Place{kind, list.size()});
            list.push_back(std::move(x));
          };
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, Gateway>) place(cs->gateways);
          if constexpr (std::is_same_v<T, VirtualService>) place(cs->virtual_services);
          if constexpr (std::is_same_v<T, DestinationRule>) place(cs->destination_rules);
          if constexpr (std::is_same_v<T, ServiceEntry>) place(cs->service_entries);
          if constexpr (std::is_same_v<T, WorkloadEntry>) place(cs->workload_entries);
          if constexpr (std::is_same_v<T, Secret>) place(cs->secrets);
          if constexpr (std::is_same_v<T, KubeService>) place(cs->services);
          if constexpr (std::is_same_v<T, EndpointSlice>) place(cs->endpoint_slices);
        },
        *o);
  }
  // A broken file still "holds" its previous objects for the next round.
  for (const auto& file : broken_files) {
    if (!keys_by_file_.contains(file)) keys_by_file_[file] = {};
  }
  cs->files.assign(files.begin(), files.end());
  analyze(*cs, result.diagnostics);
  last_ = cs;
  result.config = std::move(cs);
  return result;
}

void AdmissionState::keep_previous() {
  auto in_force = previous_last_.lock();
  if (!in_force) return;
  last_ = std::move(in_force);
  objects_ = std::move(previous_objects_);
  keys_by_file_ = std::move(previous_keys_by_file_);
  previous_last_.reset();
  previous_objects_.clear();
  previous_keys_by_file_.clear();
  const std::set<std::string> reused(last_reused_.begin(), last_reused_.end());
  std::erase_if(files_, [&](const auto& memo) { return !reused.contains(memo.first); });
}

void AdmissionState::remember_files(const LoadResult& fresh, const Diagnostics& diagnostics,
                                    const std::vector<AnyObject*>& ordered,
                                    const std::map<std::string, size_t>& parsed_per_file) {
  std::map<std::string, FileMemo> memos;
  // A parsed file is admitted whole when it said nothing that is an error, every object it gave
  // is the one in force (no duplicate, no last-good version kept in its name) and none is a Secret.
  std::map<std::string, size_t> held;
  std::set<std::string> unsure;  // files holding a Secret
  for (const AnyObject* o : ordered) {
    const std::string& file = source_of(*o).file;
    ++held[file];
    if (std::holds_alternative<Secret>(*o)) unsure.insert(file);
  }
  for (const auto& d : diagnostics.items())
    if (d.severity == Severity::kError) unsure.insert(d.file);
  // An unchanged file stays reusable while all its objects are still in force from it (one may
  // lose to an earlier file's object of the same name; then it is parsed again next time).
  for (const auto& file : fresh.reused) {
    auto memo = files_.find(file);
    auto kept = held.find(file);
    const size_t n_held = kept == held.end() ? 0 : kept->second;
    if (memo != files_.end() && n_held == memo->second.objects) memos.emplace(file, std::move(memo->second));
  }
  for (const auto& [file, hash] : fresh.content_hashes) {
    if (memos.contains(file) || unsure.contains(file)) continue;
    auto parsed = parsed_per_file.find(file);
    auto kept = held.find(file);
    const size_t n_parsed = parsed == parsed_per_file.end() ? 0 : parsed->second;
    const size_t n_held = kept == held.end() ? 0 : kept->second;
    if (n_parsed != n_held) continue;
    FileMemo memo{hash, n_parsed, {}};
    for (const auto& d : diagnostics.items())
      if (d.file == file) memo.diagnostics.push_back(d);
    memos.emplace(file, std::move(memo));
  }
  files_ = std::move(memos);
}

}  // namespace sy::config
