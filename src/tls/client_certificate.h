// What the upstream learns of a verified client certificate after MUTUAL or OPTIONAL_MUTUAL
// termination: Envoy's x-forwarded-client-cert element with Hash (SHA-256 of the DER, hex),
// Subject (RFC 2253, quoted), URI and DNS (subject alternative names), as Istio's gateways
// forward it. OpenSSL only; any thread.
#pragma once

#include <openssl/x509.h>

#include <string>

namespace sy::tls {

std::string forwarded_client_cert(X509* cert);

}  // namespace sy::tls
