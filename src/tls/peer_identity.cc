#include "tls/peer_identity.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <string_view>

namespace sy::tls {

namespace {

bool is_ip(const std::string& text) {
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

bool carries_uri(X509* cert, std::string_view name) {
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return false;
  bool found = false;
  for (int i = 0; i < sk_GENERAL_NAME_num(names) && !found; ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = n->d.uniformResourceIdentifier;
    found = std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                             static_cast<size_t>(ASN1_STRING_length(uri))) == name;
  }
  GENERAL_NAMES_free(names);
  return found;
}

std::string hex(const unsigned char* p, unsigned n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out.push_back(kDigits[p[i] >> 4]);
    out.push_back(kDigits[p[i] & 0xF]);
  }
  return out;
}

}  // namespace

bool carries_name(X509* cert, const std::string& name) {
  if (name.find("://") != std::string::npos) return carries_uri(cert, name);
  if (is_ip(name)) return X509_check_ip_asc(cert, name.c_str(), 0) == 1;
  return X509_check_host(cert, name.data(), name.size(), 0, nullptr) == 1;
}

std::string certificate_sha256_hex(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  X509_digest(cert, EVP_sha256(), digest, &len);
  return hex(digest, len);
}

std::string spki_sha256_base64(X509* cert) {
  unsigned char* der = nullptr;
  const int der_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
  if (der_len <= 0) return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(der, static_cast<size_t>(der_len), digest, &len, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(b64, digest, static_cast<int>(len));
  return std::string(reinterpret_cast<const char*>(b64), static_cast<size_t>(n));
}

std::string normalize_hash(const std::string& text) {
  std::string out;
  for (char c : text)
    if (c != ':') out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
  return out;
}

std::string check_peer_rules(X509* cert, const PeerRules& rules) {
  if (!rules.names.empty() &&
      std::none_of(rules.names.begin(), rules.names.end(), [&](const std::string& n) { return carries_name(cert, n); }))
    return "certificate carries none of the subjectAltNames";
  if (rules.spki.empty() && rules.hashes.empty()) return {};
  if (!rules.spki.empty()) {
    const std::string spki = spki_sha256_base64(cert);
    if (std::find(rules.spki.begin(), rules.spki.end(), spki) != rules.spki.end()) return {};
  }
  if (!rules.hashes.empty()) {
    const std::string hash = certificate_sha256_hex(cert);
    for (const auto& h : rules.hashes)
      if (normalize_hash(h) == hash) return {};
  }
  return "certificate matches none of verifyCertificateSpki/verifyCertificateHash";
}

}  // namespace sy::tls
