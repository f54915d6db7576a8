// A Kubernetes Secret (apiVersion v1) read from the --config paths, as `kubectl create secret
// tls|generic ... --dry-run=client -o yaml` writes it. A Gateway server's `credentialName` names
// one: its `tls.crt`/`tls.key` (or `cert`/`key`) are the server certificate, `ca.crt` (or
// `cacert`) the CA for client certificates. Istio's SDS looks the Secret up in the gateway
// proxy's own namespace (`serve --namespace`), not in the Gateway's.
#pragma once

#include <map>
#include <string>

#include "config/model/common.h"

namespace sy::config {

struct Secret {
  ObjectMeta meta;
  Source source;
  std::string type;                         // kubernetes.io/tls, Opaque, ...
  std::map<std::string, std::string> data;  // decoded: `data` (base64) merged with `stringData`
};

}  // namespace sy::config
