// A Secret's certificate material is checked when it is admitted, so a broken rotation (bad PEM,
// a key that does not match, an expired certificate) is refused with FILE:LINE and the previous
// version of the Secret stays in force.
#include <ctime>

#include "config/validate.h"
#include "config/validate_common.h"
#include "tls/certificate.h"

namespace sy::config {

namespace {

const std::string* first_key(const Secret& s, std::initializer_list<const char*> keys, std::string& which) {
  for (const char* k : keys) {
    if (auto it = s.data.find(k); it != s.data.end()) {
      which = k;
      return &it->second;
    }
  }
  return nullptr;
}

}  // namespace

void validate_secret(const Secret& s, Diagnostics& out) {
  detail::Reporter r(out, "Secret", s.meta, s.source);
  std::string cert_key, key_key, ca_key;
  const std::string* cert = first_key(s, {"tls.crt", "cert"}, cert_key);
  const std::string* key = first_key(s, {"tls.key", "key"}, key_key);
  if (cert != nullptr || key != nullptr) {
    const std::string problem =
        tls::check_key_pair(cert ? *cert : std::string(), key ? *key : std::string(), std::time(nullptr));
    if (!problem.empty()) r.error("data." + (cert ? cert_key : std::string("tls.crt")), problem);
  }
  if (const std::string* ca = first_key(s, {"ca.crt", "cacert"}, ca_key)) {
    if (const std::string problem = tls::check_ca_bundle(*ca); !problem.empty()) r.error("data." + ca_key, problem);
  }
}

}  // namespace sy::config
