// The mesh identity of this proxy for ISTIO_MUTUAL: the workload certificate chain, its key and
// the mesh's root certificates — the three files istio-agent writes for the proxy it serves
// (`serve --workload-cert/--workload-key/--workload-ca`). Read by the reloader on every reload
// (istio-agent rotates them; the directories are watched), so a rotation is a new snapshot.
// Without them ISTIO_MUTUAL is never served in plaintext: the Gateway server stays closed and the
// cluster answers 503, each with a warning that names the flags.
#pragma once

#include <string>

namespace sy::snapshot {

struct WorkloadIdentity {
  std::string cert_pem, key_pem, ca_pem;
  // Why the identity is unusable: the flags were not given, or a file could not be read.
  std::string error =
      "ISTIO_MUTUAL needs the proxy's workload certificate: serve --workload-cert, --workload-key and "
      "--workload-ca (the files istio-agent writes)";
  bool usable() const { return error.empty(); }
};

// Reads the three files; an empty path leaves the identity unusable with the default reason.
WorkloadIdentity read_workload_identity(const std::string& cert_path, const std::string& key_path,
                                        const std::string& ca_path);

}  // namespace sy::snapshot
