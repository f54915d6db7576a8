// ServiceEntry spec: hosts, ports, resolution and inline endpoints of a registry entry.
#include <cctype>

#include "config/parse_common.h"

namespace sy::config::parse {
namespace {

void service_port(Cursor& c, ServicePort& out) {
  c.read("number", out.number);
  c.read("protocol", out.protocol);
  for (char& ch : out.protocol) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  c.read("name", out.name);
  c.read("targetPort", out.target_port);
}

}  // namespace

void service_entry_spec(Cursor& spec, ServiceEntry& out) {
  using SE = ServiceEntry;
  spec.read("hosts", out.hosts);
  spec.read("addresses", out.addresses);
  spec.read_list("ports", out.ports, service_port);
  spec.read_enum("location", out.location,
                 {{"MESH_EXTERNAL", SE::Location::kMeshExternal}, {"MESH_INTERNAL", SE::Location::kMeshInternal}});
  spec.read_enum("resolution", out.resolution,
                 {{"NONE", SE::Resolution::kNone},
                  {"STATIC", SE::Resolution::kStatic},
                  {"DNS", SE::Resolution::kDns},
                  {"DNS_ROUND_ROBIN", SE::Resolution::kDnsRoundRobin},
                  {"DYNAMIC_DNS", SE::Resolution::kDynamicDns}});
  spec.read_list("endpoints", out.endpoints, workload_entry_spec);
  spec.read_object("workloadSelector", out.workload_selector,
                   [](Cursor& w, Labels& labels) { w.read("labels", labels); });
  spec.read("exportTo", out.export_to);
  spec.read("subjectAltNames", out.subject_alt_names);
}

}  // namespace sy::config::parse
