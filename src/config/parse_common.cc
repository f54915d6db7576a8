// Messages shared by several kinds: ObjectMeta, StringMatch, Destination, Headers, WorkloadEntry.
#include "config/parse_common.h"

namespace sy::config::parse {

void object_meta(Cursor& c, ObjectMeta& out) {
  c.read("name", out.name);
  c.read("namespace", out.namespace_);
  if (out.namespace_.empty()) out.namespace_ = "default";
  c.read("labels", out.labels);
  c.read("annotations", out.annotations);
  // Kubernetes ObjectMeta fields switchyard has no use for (kubectl get -o yaml output carries them).
  for (std::string_view k :
       {"creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "resourceVersion", "uid", "generation",
        "managedFields", "ownerReferences", "finalizers", "generateName", "selfLink"})
    c.skip(k);
}

void string_match(Cursor& c, StringMatch& out) {
  c.oneof({"exact", "prefix", "regex"});
  static constexpr std::pair<const char*, StringMatch::Kind> kKinds[] = {{"exact", StringMatch::Kind::kExact},
                                                                         {"prefix", StringMatch::Kind::kPrefix},
                                                                         {"regex", StringMatch::Kind::kRegex}};
  out.kind = StringMatch::Kind::kPresent;
  for (const auto& [key, kind] : kKinds) {
    if (auto f = c.field(key)) {
      if (auto v = f->as_string()) {
        out.kind = kind;
        out.value = std::move(*v);
      }
    }
  }
}

void string_match_map(Cursor& parent, std::string_view key, std::map<std::string, StringMatch>& out) {
  auto c = parent.field(key);
  if (!c) return;
  for (auto& [name, value] : c->entries()) {
    if (value.is_null()) {  // `x-user:` with nothing behind it reads as `{}` (presence)
      out[name] = StringMatch{};
      continue;
    }
    if (auto m = value.object<StringMatch>(string_match)) out[name] = std::move(*m);
  }
}

void destination(Cursor& c, Destination& out) {
  c.read("host", out.host);
  c.read("subset", out.subset);
  c.read_object("port", out.port, [](Cursor& p, PortSelector& s) { p.read("number", s.number); });
}

void header_operations(Cursor& c, HeaderOperations& out) {
  c.read("set", out.set);
  c.read("add", out.add);
  c.read("remove", out.remove);
}

void headers(Cursor& c, Headers& out) {
  c.read_object("request", out.request, header_operations);
  c.read_object("response", out.response, header_operations);
}

void workload_entry_spec(Cursor& c, WorkloadEntrySpec& out) {
  c.read("address", out.address);
  c.read("ports", out.ports);
  c.read("labels", out.labels);
  c.read("network", out.network);
  c.read("locality", out.locality);
  c.read("weight", out.weight);
  c.read("serviceAccount", out.service_account);
}

}  // namespace sy::config::parse
