// What a peer certificate is checked against beyond its chain: names (subjectAltNames), the
// SHA-256 of its public key (verifyCertificateSpki) or of the whole certificate
// (verifyCertificateHash), as Envoy's CertificateValidationContext does. Used for upstream
// certificates (ClientTls) and client certificates at the gateway (ServerTls). OpenSSL only.
#pragma once

#include <openssl/x509.h>

#include <string>
#include <vector>

namespace sy::tls {

// Whether `cert` carries `name`: a URI SAN (names with "://"), an IP SAN (an address), else a
// DNS SAN (wildcard certificates as X509_check_host allows).
bool carries_name(X509* cert, const std::string& name);

// Lowercase hex SHA-256 of the DER certificate, and base64 SHA-256 of its SubjectPublicKeyInfo.
std::string certificate_sha256_hex(X509* cert);
std::string spki_sha256_base64(X509* cert);

struct PeerRules {
  std::vector<std::string> names;   // any one must be carried (empty: no name check)
  std::vector<std::string> spki;    // base64 SHA-256 of the SPKI
  std::vector<std::string> hashes;  // hex SHA-256 of the certificate, colons allowed, any case
  bool empty() const { return names.empty() && spki.empty() && hashes.empty(); }
};

// "" when `cert` passes: it carries one of the names (if any are listed), and its SPKI or its
// hash is one of those listed (if any of either is: Envoy accepts a match of either kind).
// Otherwise what failed.
std::string check_peer_rules(X509* cert, const PeerRules& rules);

// The hex form verifyCertificateHash entries are compared in: colons dropped, lowercased.
std::string normalize_hash(const std::string& text);

}  // namespace sy::tls
