// PEM material named by config: a Secret of the config (NAME in the proxy's namespace, or
// NAMESPACE/NAME) and its keys, or a file path relative to the YAML file that names it. Shared
// by the server (Gateway) and client (DestinationRule) certificate resolution. Reads files.
#pragma once

#include <initializer_list>
#include <string>

#include "config/model/config_set.h"

namespace sy::snapshot::detail {

const config::Secret* find_secret(const config::ConfigSet& config, const std::string& credential,
                                  const std::string& proxy_namespace);
// The value of the first of `keys` the Secret has, or null.
const std::string* secret_value(const config::Secret& s, std::initializer_list<const char*> keys);
// Reads `path` (relative to `yaml_file`'s directory) into `out`; false with `error` when it cannot.
bool read_pem_file(const std::string& path, const std::string& yaml_file, std::string& out, std::string& error);

}  // namespace sy::snapshot::detail
