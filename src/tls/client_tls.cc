#include "tls/client_tls.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tls/peer_identity.h"
#include "tls/revocation.h"

namespace sy::tls {

namespace {

std::string openssl_error(std::string_view what) {
  std::string out(what);
  if (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    out += ": ";
    out += buf;
  }
  ERR_clear_error();
  return out;
}

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

std::unique_ptr<BIO, BioFree> memory_bio(const std::string& pem) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

bool is_ip(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

std::shared_ptr<const ClientTls> ClientTls::make(const ClientTlsSettings& settings, std::string& error) {
  std::shared_ptr<ClientTls> out(new ClientTls());
  out->settings_ = settings;
  out->ctx_ = std::shared_ptr<SSL_CTX>(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  SSL_CTX* c = out->ctx_.get();
  if (c == nullptr) {
    error = openssl_error("cannot create a TLS context");
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);  // Envoy's client default
  if (settings.insecure_skip_verify) {
    SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
  } else {
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, nullptr);
    if (settings.ca_pem.empty()) {
      if (SSL_CTX_set_default_verify_paths(c) != 1) {
        error = openssl_error("system trust store");
        return nullptr;
      }
    } else {
      auto bio = memory_bio(settings.ca_pem);
      X509_STORE* store = SSL_CTX_get_cert_store(c);
      int count = 0;
      while (X509* ca = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        X509_STORE_add_cert(store, ca);
        X509_free(ca);
        ++count;
      }
      ERR_clear_error();
      if (count == 0) {
        error = "caCertificates holds no PEM certificate";
        return nullptr;
      }
    }
    if (!settings.crl_pem.empty()) {
      error = add_revocation_lists(SSL_CTX_get_cert_store(c), settings.crl_pem);
      if (!error.empty()) return nullptr;
    }
  }
  if (!settings.cert_pem.empty()) {
    auto bio = memory_bio(settings.cert_pem);
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    auto key_bio = memory_bio(settings.key_pem);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr);
    const bool ok = cert != nullptr && key != nullptr && SSL_CTX_use_certificate(c, cert) == 1 &&
                    SSL_CTX_use_PrivateKey(c, key) == 1 && SSL_CTX_check_private_key(c) == 1;
    X509_free(cert);
    EVP_PKEY_free(key);
    if (!ok) {
      error = openssl_error("client certificate and key");
      return nullptr;
    }
  }
  if (!settings.alpn.empty()) {
    std::string wire;  // length-prefixed protocol names, as RFC 7301 puts them on the wire
    for (const auto& p : settings.alpn) {
      if (p.empty() || p.size() > 255) {
        error = "ALPN protocol name of invalid length";
        return nullptr;
      }
      wire += static_cast<char>(p.size());
      wire += p;
    }
    if (SSL_CTX_set_alpn_protos(c, reinterpret_cast<const unsigned char*>(wire.data()),
                                static_cast<unsigned>(wire.size())) != 0) {
      error = openssl_error("ALPN");
      return nullptr;
    }
  }
  // Sessions are resumed per connection target by the pool's caller; the cache itself is client-side.
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT);
  return out;
}

ClientTls::~ClientTls() {
  for (auto& [key, session] : sessions_) SSL_SESSION_free(session);
}

void ClientTls::save_session(const std::string& key, SSL* ssl) const {
  SSL_SESSION* live = SSL_get1_session(ssl);
  if (live == nullptr) return;
  // A copy: OpenSSL marks the connection's own session not resumable when that connection is
  // freed without a close_notify (as a pooled upstream connection usually ends).
  SSL_SESSION* session = SSL_SESSION_is_resumable(live) == 1 ? SSL_SESSION_dup(live) : nullptr;
  SSL_SESSION_free(live);
  if (session == nullptr) return;
  std::lock_guard lock(sessions_mu_);
  if (sessions_.size() >= kMaxSessions && !sessions_.contains(key)) {
    for (auto& [k, s] : sessions_) SSL_SESSION_free(s);
    sessions_.clear();
  }
  auto [it, inserted] = sessions_.try_emplace(key, session);
  if (!inserted) {
    SSL_SESSION_free(it->second);
    it->second = session;
  }
}

void ClientTls::offer_session(const std::string& key, SSL* ssl) const {
  SSL_SESSION* session = nullptr;
  {
    std::lock_guard lock(sessions_mu_);
    auto it = sessions_.find(key);
    if (it == sessions_.end()) return;
    session = it->second;
    SSL_SESSION_up_ref(session);
  }
  SSL_set_session(ssl, session);  // takes its own reference
  SSL_SESSION_free(session);
}

std::string ClientTls::server_name(std::string_view authority) const {
  if (!settings_.sni.empty()) return settings_.sni;
  std::string host(authority);
  if (!host.empty() && host.front() == '[') return {};  // an IPv6 literal: no SNI
  if (const auto colon = host.rfind(':'); colon != std::string::npos) host.resize(colon);
  if (host.empty() || is_ip(host)) return {};
  return host;
}

void ClientTls::prepare(SSL* ssl, const std::string& server_name) const {
  if (!server_name.empty()) SSL_set_tlsext_host_name(ssl, server_name.c_str());
}

std::string ClientTls::check_peer(SSL* ssl, const std::string& server_name) const {
  if (settings_.insecure_skip_verify) return {};
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr) return "the upstream sent no certificate";
  if (SSL_get_verify_result(ssl) != X509_V_OK)
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(SSL_get_verify_result(ssl));
  if (!settings_.subject_alt_names.empty()) {
    for (const auto& name : settings_.subject_alt_names)
      if (carries_name(cert, name)) return {};
    return "the upstream certificate carries none of subjectAltNames";
  }
  // An IP target without sni, or ISTIO_MUTUAL without names to check: the chain check stands alone.
  if (server_name.empty() || !settings_.verify_sni_name) return {};
  if (!carries_name(cert, server_name)) return "the upstream certificate does not match " + server_name;
  return {};
}

}  // namespace sy::tls
