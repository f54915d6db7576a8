#include "tls/client_certificate.h"

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <memory>

namespace sy::tls {

namespace {

std::string hex(const unsigned char* p, unsigned n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (unsigned i = 0; i < n; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 0xF];
  }
  return out;
}

std::string subject_of(X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  std::string out(data, static_cast<size_t>(n));
  // Quoted in the header: a quote or backslash inside is escaped.
  std::string escaped;
  for (char c : out) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

}  // namespace

std::string forwarded_client_cert(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  X509_digest(cert, EVP_sha256(), digest, &len);
  std::string out = "Hash=" + hex(digest, len) + ";Subject=\"" + subject_of(cert) + "\"";
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI && name->type != GEN_DNS) continue;
    const ASN1_IA5STRING* text = name->type == GEN_URI ? name->d.uniformResourceIdentifier : name->d.dNSName;
    std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                      static_cast<size_t>(ASN1_STRING_length(text)));
    // A SAN with a separator or a control character would break the header: left out.
    if (value.find_first_of(";,\"\r\n") != std::string::npos) continue;
    out += name->type == GEN_URI ? ";URI=" : ";DNS=";
    out += value;
  }
  GENERAL_NAMES_free(names);
  return out;
}

}  // namespace sy::tls
