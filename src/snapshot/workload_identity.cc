#include "snapshot/workload_identity.h"

#include <fstream>
#include <sstream>

namespace sy::snapshot {

namespace {

bool read_file(const std::string& path, std::string& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || text.str().empty()) {
    error = "workload certificate file " + path + " cannot be read";
    return false;
  }
  out = text.str();
  return true;
}

}  // namespace

WorkloadIdentity read_workload_identity(const std::string& cert_path, const std::string& key_path,
                                        const std::string& ca_path) {
  WorkloadIdentity id;
  if (cert_path.empty() && key_path.empty() && ca_path.empty()) return id;
  if (cert_path.empty() || key_path.empty() || ca_path.empty()) {
    id.error = "ISTIO_MUTUAL needs all three of serve --workload-cert, --workload-key and --workload-ca";
    return id;
  }
  std::string error;
  if (read_file(cert_path, id.cert_pem, error) && read_file(key_path, id.key_pem, error) &&
      read_file(ca_path, id.ca_pem, error))
    error.clear();
  id.error = error;
  return id;
}

}  // namespace sy::snapshot
