// Files -> YAML documents -> one typed object per document, dispatched by apiVersion/kind.
#include "config/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "config/parse_common.h"
#include "config/yaml_guard.h"
#include "core/base64.h"

namespace sy::config {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kIstioApiVersions[] = {"networking.istio.io/v1", "networking.istio.io/v1beta1",
                                                  "networking.istio.io/v1alpha3"};

// A top-level scalar such as kind or metadata.name, or "" when absent or not a string.
// (Never assign one YAML::Node to another here: yaml-cpp's operator= rewrites the document.)
std::string peek(const YAML::Node& map, const char* key, const char* sub = nullptr) {
  const YAML::Node n = map[key];
  if (sub == nullptr) return n.IsDefined() && n.IsScalar() ? n.Scalar() : std::string();
  if (!n.IsDefined() || !n.IsMap()) return std::string();  // IsMap() throws on an absent node
  const YAML::Node s = n[sub];
  return s.IsDefined() && s.IsScalar() ? s.Scalar() : std::string();
}

std::string object_name(const std::string& ns, const std::string& name) {
  return (ns.empty() ? std::string("default") : ns) + "/" + (name.empty() ? std::string("<unnamed>") : name);
}

// Line of a document: its first key, where apiVersion/kind usually sit.
int document_line(const YAML::Node& doc) {
  if (doc.IsMap() && doc.begin() != doc.end()) {
    if (int line = yaml::line_of(doc.begin()->first)) return line;
  }
  return yaml::line_of(doc);
}

// An Istio object's body: its `spec`, read by `parse_spec`.
template <class T, class F>
auto spec_of(F parse_spec) {
  return [parse_spec](yaml::Cursor& root, T& obj) {
    if (auto spec = root.field("spec")) {
      if (spec->expect_map()) {
        parse_spec(*spec, obj);
        spec->finish();
      }
    }
  };
}

// A Secret has no spec: its keys sit at the top level. `data` values are base64, `stringData`
// values plain text that wins over `data` (as the API server merges them).
void parse_secret_body(yaml::Cursor& root, Secret& obj) {
  root.skip("immutable");
  root.read("type", obj.type);
  if (auto data = root.field("data")) {
    for (auto& [key, value] : data->entries()) {
      const auto text = value.as_string();
      if (!text) continue;  // as_string reported it
      if (auto decoded = base64_decode(*text)) obj.data[key] = std::move(*decoded);
      else value.error("not valid base64");
    }
  }
  std::map<std::string, std::string> plain;
  root.read("stringData", plain);
  for (auto& [key, value] : plain) obj.data[key] = std::move(value);
}

// One load run: what was found so far and the global object counter. Used by one thread.
class Loader {
 public:
  void load_stream(std::string_view text, const std::string& file);
  LoadResult& result() { return result_; }
  int objects() const { return next_index_; }  // objects met so far, admitted or not

 private:
  void document(const YAML::Node& doc, const std::string& file);

  template <class T, class F>
  void object(const YAML::Node& doc, const std::string& file, const std::string& kind, std::vector<T> ConfigSet::*list,
              F&& parse_spec);

  void file_error(const std::string& file, int line, std::string message, Severity severity = Severity::kError) {
    result_.diagnostics.add(Diagnostic{severity, file, line, "", "", "", std::move(message)});
  }

  LoadResult result_;
  int next_index_ = 0;
  std::shared_ptr<PathNames> path_names_;  // the field paths of the file being read, shared by its objects
};

void Loader::load_stream(std::string_view text, const std::string& file) {
  path_names_ = std::make_shared<PathNames>();
  if (auto hang = find_yaml_hang(text)) {
    file_error(file, hang->line, "YAML syntax error: " + hang->message);
    return;
  }
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    file_error(file, e.mark.is_null() ? 0 : e.mark.line + 1, "YAML syntax error: " + e.msg);
    return;
  }
  for (const YAML::Node& doc : docs) {
    // A yaml-cpp exception escaping here would take `validate` or `serve` down on one bad file
    // (found by fuzzing): it becomes that file's error instead.
    try {
      document(doc, file);
    } catch (const YAML::Exception& e) {
      file_error(file, e.mark.is_null() ? 0 : e.mark.line + 1, "unreadable YAML document: " + e.msg);
    }
  }
}

void Loader::document(const YAML::Node& doc, const std::string& file) {
  if (!doc.IsDefined() || doc.IsNull()) return;  // `---` with nothing behind it
  const int line = document_line(doc);
  if (!doc.IsMap()) {
    file_error(file, line, "expected a Kubernetes object (a map with apiVersion and kind)");
    return;
  }
  const std::string api_version = peek(doc, "apiVersion");
  const std::string kind = peek(doc, "kind");
  if (api_version.empty() || kind.empty()) {
    result_.diagnostics.add(Diagnostic{Severity::kError, file, line, kind,
                                       object_name(peek(doc, "metadata", "namespace"), peek(doc, "metadata", "name")),
                                       api_version.empty() ? "apiVersion" : "kind", "missing required field"});
    return;
  }
  if (kind == "List" || kind.ends_with("List")) {  // kubectl get -o yaml: `kind: List` (or `VirtualServiceList`)
    YAML::Node items = doc["items"];
    if (!items.IsDefined() || items.IsNull()) return;
    if (!items.IsSequence()) {
      result_.diagnostics.add(Diagnostic{Severity::kError, file, line, kind, "", "items", "expected a list"});
      return;
    }
    for (const YAML::Node& item : items) document(item, file);
    return;
  }
  const bool istio = std::find(std::begin(kIstioApiVersions), std::end(kIstioApiVersions), api_version) !=
                     std::end(kIstioApiVersions);
  if (istio && kind == "Gateway")
    return object(doc, file, kind, &ConfigSet::gateways, spec_of<Gateway>(parse::gateway_spec));
  if (istio && kind == "VirtualService")
    return object(doc, file, kind, &ConfigSet::virtual_services, spec_of<VirtualService>(parse::virtual_service_spec));
  if (istio && kind == "DestinationRule")
    return object(doc, file, kind, &ConfigSet::destination_rules,
                  spec_of<DestinationRule>(parse::destination_rule_spec));
  if (istio && kind == "ServiceEntry")
    return object(doc, file, kind, &ConfigSet::service_entries, spec_of<ServiceEntry>(parse::service_entry_spec));
  if (istio && kind == "WorkloadEntry") {
    return object(doc, file, kind, &ConfigSet::workload_entries,
                  spec_of<WorkloadEntry>(
                      [](yaml::Cursor& spec, WorkloadEntry& we) { parse::workload_entry_spec(spec, we.spec); }));
  }
  if (api_version == "v1" && kind == "Secret") return object(doc, file, kind, &ConfigSet::secrets, parse_secret_body);
  if (api_version == "v1" && kind == "Service")
    return object(doc, file, kind, &ConfigSet::services, spec_of<KubeService>(parse::kube_service_spec));
  if (api_version == "discovery.k8s.io/v1" && kind == "EndpointSlice")
    return object(doc, file, kind, &ConfigSet::endpoint_slices, parse::endpoint_slice_body);
  result_.diagnostics.add(Diagnostic{Severity::kWarning, file, line, kind,
                                     object_name(peek(doc, "metadata", "namespace"), peek(doc, "metadata", "name")), "",
                                     "skipped: " + api_version + " " + kind +
                                         " is not a networking.istio.io Gateway, VirtualService, DestinationRule, "
                                         "ServiceEntry or WorkloadEntry, nor a v1 Secret or Service, nor a "
                                         "discovery.k8s.io/v1 EndpointSlice"});
}

template <class T, class F>
void Loader::object(const YAML::Node& doc, const std::string& file, const std::string& kind,
                    std::vector<T> ConfigSet::*list, F&& parse_body) {
  T obj{};
  obj.source.file = file;
  obj.source.line = document_line(doc);
  obj.source.index = next_index_++;
  obj.source.path_lines = PathLines(path_names_);
  yaml::ObjectContext ctx(obj.source);
  yaml::Cursor root(doc, "", obj.source.line, ctx);
  root.expect_map();
  for (std::string_view k : {"apiVersion", "kind", "status"}) root.skip(k);

  int name_line = obj.source.line;
  if (auto meta = root.field("metadata")) {
    name_line = meta->line();
    if (auto m = meta->template object<ObjectMeta>(parse::object_meta)) obj.meta = std::move(*m);
  }
  if (obj.meta.name.empty()) ctx.error("metadata.name", name_line, "missing required field \"name\"");
  parse_body(root, obj);
  root.finish();
  obj.source.path_lines.shrink_to_fit();

  if (ctx.problems().empty()) {
    (result_.config.*list).push_back(std::move(obj));
    return;
  }
  const std::string name = object_name(obj.meta.namespace_, obj.meta.name);
  for (const yaml::Problem& p : ctx.problems())
    result_.diagnostics.add(
        Diagnostic{Severity::kError, file, p.line ? p.line : obj.source.line, kind, name, p.path, p.message});
  (result_.rejected.*list).push_back(std::move(obj));
}

// Moves `part` (one file's load, its objects numbered from 0) to the end of `into`, numbering its
// objects after the `offset` objects before it.
void append_part(LoadResult& into, LoadResult&& part, int offset) {
  auto move_list = [&](auto member) {
    for (ConfigSet* sets : {&part.config, &part.rejected}) {
      auto& to = (sets == &part.config ? into.config : into.rejected).*member;
      for (auto& o : sets->*member) {
        o.source.index += offset;
        to.push_back(std::move(o));
      }
    }
  };
  move_list(&ConfigSet::gateways);
  move_list(&ConfigSet::virtual_services);
  move_list(&ConfigSet::destination_rules);
  move_list(&ConfigSet::service_entries);
  move_list(&ConfigSet::workload_entries);
  move_list(&ConfigSet::secrets);
  move_list(&ConfigSet::services);
  move_list(&ConfigSet::endpoint_slices);
  for (auto& d : part.diagnostics.items()) into.diagnostics.add(d);
}

// One file's bytes to parse, and what parsing it gave.
struct FileLoad {
  std::string name;
  std::string bytes;
  LoadResult result;
  int objects = 0;
};

// Parses each file with a Loader of its own. yaml-cpp is most of the time of a large load and
// files do not depend on each other, so a large load parses on a few threads (joined before this
// returns; nothing is shared but the index of the next file to take).
void parse_files(std::vector<FileLoad>& loads) {
  auto parse = [](FileLoad& f) {
    Loader loader;
    loader.load_stream(f.bytes, f.name);
    f.objects = loader.objects();
    f.result = std::move(loader.result());
    std::string().swap(f.bytes);
  };
  size_t total = 0;
  for (const FileLoad& f : loads) total += f.bytes.size();
  constexpr size_t kParallelFrom = 256 * 1024;  // below this a thread costs more than it saves
  const size_t threads = std::min<size_t>({std::max(1u, std::thread::hardware_concurrency()), 4, loads.size()});
  if (threads < 2 || total < kParallelFrom) {
    for (FileLoad& f : loads) parse(f);
    return;
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < loads.size(); i = next++) parse(loads[i]);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

bool is_yaml_file(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml";
}

}  // namespace

LoadResult load_paths(const std::vector<std::string>& paths, const ReuseFile& reuse) {
  Loader loader;
  std::vector<fs::path> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      loader.result().diagnostics.add(Diagnostic{Severity::kError, p, 0, "", "", "", "no such file or directory"});
      continue;
    }
    if (!fs::is_directory(st)) {
      files.emplace_back(p);
      continue;
    }
    for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::follow_directory_symlink, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      // Hidden entries are skipped: editors' temp files, and the `..data` / `..2026_…` dirs of a
      // mounted ConfigMap, whose files are also reachable through the visible symlinks.
      if (it->path().filename().string().starts_with(".")) {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec) && is_yaml_file(it->path())) files.push_back(it->path());
    }
    if (ec) {
      loader.result().diagnostics.add(
          Diagnostic{Severity::kError, p, 0, "", "", "", "cannot read directory: " + ec.message()});
    }
  }
  // fs::path ordering compares component by component, so a directory's files stay together.
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());

  // Every file is read first (a read error keeps its place among the diagnostics), then the ones
  // to parse are parsed, then their results are appended in file order.
  LoadResult& out = loader.result();
  std::vector<FileLoad> loads;
  for (const fs::path& f : files) {
    FileLoad load;
    load.name = f.string();
    out.config.files.push_back(load.name);
    std::ifstream in(f, std::ios::binary);
    std::ostringstream text;
    if (in.is_open()) text << in.rdbuf();
    if (!in.is_open() || in.bad()) {
      load.result.diagnostics.add(Diagnostic{Severity::kError, load.name, 0, "", "", "", "cannot read file"});
      loads.push_back(std::move(load));
      continue;
    }
    load.bytes = std::move(text).str();
    const uint64_t hash = std::hash<std::string_view>{}(load.bytes);
    out.content_hashes[load.name] = hash;
    if (reuse && reuse(load.name, hash)) {
      out.reused.push_back(load.name);
      continue;
    }
    loads.push_back(std::move(load));
  }
  std::vector<FileLoad> readable;
  std::vector<size_t> order;  // loads[i] -> readable index, or npos for a read error
  for (FileLoad& f : loads) {
    order.push_back(f.result.diagnostics.items().empty() ? readable.size() : std::string::npos);
    if (order.back() != std::string::npos) readable.push_back(std::move(f));
  }
  parse_files(readable);
  int offset = 0;
  for (size_t i = 0; i < loads.size(); ++i) {
    FileLoad& f = order[i] == std::string::npos ? loads[i] : readable[order[i]];
    append_part(out, std::move(f.result), offset);
    offset += f.objects;
  }
  return std::move(out);
}

LoadResult load_string(std::string_view yaml, const std::string& file_name) {
  Loader loader;
  loader.result().config.files.push_back(file_name);
  loader.load_stream(yaml, file_name);
  return std::move(loader.result());
}

}  // namespace sy::config
