// Test-only: self-signed certificates made in memory with OpenSSL, as PEM (included from
// *_test.cc files). `days` may be negative for a certificate that has already expired.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <string>
#include <utility>

namespace sy::tls::testing {

// What `write` puts into a memory BIO, as a string.
template <typename Write>
std::string pem_of(Write write) {
  BIO* bio = BIO_new(BIO_s_mem());
  write(bio);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

inline std::string to_pem(X509* cert) {
  return pem_of([cert](BIO* b) { PEM_write_bio_X509(b, cert); });
}

inline std::string to_pem(X509_CRL* crl) {
  return pem_of([crl](BIO* b) { PEM_write_bio_X509_CRL(b, crl); });
}

inline std::string to_pem(EVP_PKEY* key) {
  return pem_of([key](BIO* b) { PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); });
}

// (certificate PEM, key PEM) for CN `name`, valid from an hour ago for `days` days.
inline std::pair<std::string, std::string> self_signed(const std::string& name, long days = 2) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), days < 0 ? days * 86400 * 2 : -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), days * 86400);
  X509_NAME* subject = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert, subject);
  X509_set_pubkey(cert, key);
  X509_sign(cert, key, EVP_sha256());
  auto out = std::make_pair(to_pem(cert), to_pem(key));
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

}  // namespace sy::tls::testing
