// The switchyard subcommands, as plain functions over option structs.
// main.cc owns argument parsing (CLI11 stays there); each command lives in its own file.
#pragma once

#include <string>
#include <vector>

namespace sy::cli {

struct ValidateOptions {
  std::vector<std::string> paths;
  // What serve would be given: the snapshot is compiled with them, so what serve would warn about
  // (a server left closed, a cluster answering 503) is printed too.
  std::string proxy_namespace = "default";
  std::string locality;  // as serve --locality
  std::string workload_cert, workload_key, workload_ca;
  std::string trust_domain = "cluster.local";  // as serve --trust-domain
};
// Prints every problem as `FILE:LINE: Kind ns/name: field.path: message`. Exit 0 valid, 1 invalid.
int run_validate(const ValidateOptions& opts);

struct ExplainOptions {
  std::vector<std::string> config_paths;
  std::string gateway;  // "ns/name"; empty with mesh=false means "the only/first gateway listener"
  bool mesh = false;
  std::string method;
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  bool json = false;
  std::string locality;  // as serve --locality: endpoint priorities and weights follow it
};
// Exit 0 when a route matched, 2 when none did, 1 on unusable config or arguments.
int run_explain(const ExplainOptions& opts);

}  // namespace sy::cli
