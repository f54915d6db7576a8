// Parsers for the networking.istio.io message types, one entry point per kind plus the pieces
// several kinds share. Internal to src/config: the loader is the only caller; yaml-cpp stays here.
#pragma once

#include "config/model/config_set.h"
#include "config/yaml_reader.h"

namespace sy::config::parse {

using yaml::Cursor;

// Shared messages (parse_common.cc). Each fills `out` from a map cursor; the caller checks
// unknown fields (Cursor::object / read_object / read_list do).
void object_meta(Cursor& c, ObjectMeta& out);
void string_match(Cursor& c, StringMatch& out);
void string_match_map(Cursor& parent, std::string_view key, std::map<std::string, StringMatch>& out);
void destination(Cursor& c, Destination& out);
void header_operations(Cursor& c, HeaderOperations& out);
void headers(Cursor& c, Headers& out);
void workload_entry_spec(Cursor& c, WorkloadEntrySpec& out);

// Per-kind specs (parse_<kind>.cc).
void gateway_spec(Cursor& spec, Gateway& out);
void virtual_service_spec(Cursor& spec, VirtualService& out);
void destination_rule_spec(Cursor& spec, DestinationRule& out);
void traffic_policy(Cursor& c, TrafficPolicy& out);
void service_entry_spec(Cursor& spec, ServiceEntry& out);
// Kubernetes kinds (parse_kube_service.cc). An EndpointSlice has no spec: its fields sit at the top.
void kube_service_spec(Cursor& spec, KubeService& out);
void endpoint_slice_body(Cursor& root, EndpointSlice& out);

}  // namespace sy::config::parse
