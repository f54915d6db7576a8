// Certificate revocation lists (Gateway `tls.caCrl`, DestinationRule `tls.caCrl`): the CRLs are
// added to a trust store, which then refuses a peer certificate that one of them revokes. As
// Envoy does with a `crl`, every certificate of the chain must be covered by a CRL of its issuer
// (X509_V_FLAG_CRL_CHECK_ALL): a CA without one fails verification too, so a CRL file can never
// be silently ineffective. OpenSSL only; no sockets. Any thread.
#pragma once

#include <openssl/x509_vfy.h>

#include <string>
#include <string_view>

namespace sy::tls {

// "" when `crl_pem` holds at least one PEM CRL (each is then in `store`, and the store checks
// revocation); otherwise what is wrong, in words for a config author.
std::string add_revocation_lists(X509_STORE* store, std::string_view crl_pem);

// "" when `crl_pem` holds at least one well-formed PEM CRL; otherwise what is wrong. For admission.
std::string check_revocation_lists(std::string_view crl_pem);

}  // namespace sy::tls
