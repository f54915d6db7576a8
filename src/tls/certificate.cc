#include "tls/certificate.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace sy::tls {

namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::unique_ptr<BIO, BioFree> memory_bio(std::string_view pem) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

std::unique_ptr<X509, X509Free> first_certificate(std::string_view pem) {
  auto bio = memory_bio(pem);
  std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  return cert;
}

}  // namespace

std::string check_key_pair(std::string_view cert_pem, std::string_view key_pem, std::time_t now) {
  if (cert_pem.empty()) return "no certificate";
  if (key_pem.empty()) return "no private key";
  auto leaf = first_certificate(cert_pem);
  if (!leaf) return "certificate is not a PEM certificate";
  auto key_bio = memory_bio(key_pem);
  std::unique_ptr<EVP_PKEY, KeyFree> key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!key) return "private key is not a PEM private key (or is encrypted)";
  if (X509_check_private_key(leaf.get(), key.get()) != 1) {
    ERR_clear_error();
    return "private key does not match the certificate";
  }
  if (X509_cmp_time(X509_get0_notAfter(leaf.get()), &now) < 0) return "certificate has expired";
  if (X509_cmp_time(X509_get0_notBefore(leaf.get()), &now) > 0) return "certificate is not valid yet";
  return {};
}

std::string check_ca_bundle(std::string_view ca_pem) {
  if (ca_pem.empty()) return "no CA certificate";
  if (!first_certificate(ca_pem)) return "CA bundle holds no PEM certificate";
  return {};
}

}  // namespace sy::tls
