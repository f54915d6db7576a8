#include "snapshot/tls_material.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sy::snapshot::detail {

const config::Secret* find_secret(const config::ConfigSet& config, const std::string& credential,
                                  const std::string& proxy_namespace) {
  std::string ns = proxy_namespace, name = credential;
  if (const auto slash = credential.find('/'); slash != std::string::npos) {
    ns = credential.substr(0, slash);
    name = credential.substr(slash + 1);
  }
  for (const auto& s : config.secrets)
    if (s.meta.name == name && s.meta.namespace_ == ns) return &s;
  return nullptr;
}

const std::string* secret_value(const config::Secret& s, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (auto it = s.data.find(k); it != s.data.end()) return &it->second;
  return nullptr;
}

bool read_pem_file(const std::string& path, const std::string& yaml_file, std::string& out, std::string& error) {
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(yaml_file).parent_path() / p;
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    error = "cannot read " + p.string();
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  out = text.str();
  return true;
}

}  // namespace sy::snapshot::detail
