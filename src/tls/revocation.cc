#include "tls/revocation.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <memory>

namespace sy::tls {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

// Calls `each` with every CRL in `pem`; the number read, or -1 when a block is malformed.
template <typename F>
int for_each_crl(std::string_view pem, F each) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  int count = 0;
  while (X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)) {
    each(crl);
    X509_CRL_free(crl);
    ++count;
  }
  // The end of the data reads as "no start line"; anything else is a broken block.
  const unsigned long e = ERR_peek_last_error();
  const bool clean_end = e == 0 || ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
  ERR_clear_error();
  return clean_end ? count : -1;
}

}  // namespace

std::string check_revocation_lists(std::string_view crl_pem) {
  const int n = for_each_crl(crl_pem, [](X509_CRL*) {});
  if (n < 0) return "caCrl holds a malformed CRL";
  if (n == 0) return "caCrl holds no PEM certificate revocation list (X509 CRL)";
  return {};
}

std::string add_revocation_lists(X509_STORE* store, std::string_view crl_pem) {
  if (std::string problem = check_revocation_lists(crl_pem); !problem.empty()) return problem;
  for_each_crl(crl_pem, [store](X509_CRL* crl) { X509_STORE_add_crl(store, crl); });
  ERR_clear_error();  // a CRL already in the store is not an error worth keeping
  X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  return {};
}

}  // namespace sy::tls
