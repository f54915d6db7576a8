#include "tls/server_tls.h"

#include "tls/revocation.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>

namespace sy::tls {

namespace {

// Envoy's default server cipher list for TLS <= 1.2 (TLS 1.3 suites are not affected).
constexpr const char* kDefaultCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384";

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

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Picks "h2", else "http/1.1", from what the client offers (Istio's gateways always advertise
// h2); without either, the handshake goes on without ALPN and the connection speaks HTTP/1.1.
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned inlen,
                void*) {
  static constexpr unsigned char kProtocols[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kProtocols, sizeof(kProtocols), in, inlen) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

// Loads a PEM chain (leaf first) and its key into `ctx`; several pairs of different key types
// may be loaded (OpenSSL keeps one per type and picks by the client's signature algorithms).
std::string load_key_pair(SSL_CTX* ctx, const std::string& chain_pem, const std::string& key_pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(chain_pem.data(), static_cast<int>(chain_pem.size())));
  X509* leaf = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (leaf == nullptr) return openssl_error("certificate");
  const int used = SSL_CTX_use_certificate(ctx, leaf);
  X509_free(leaf);
  if (used != 1) return openssl_error("certificate");
  while (X509* extra = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add1_chain_cert(ctx, extra) != 1) {
      X509_free(extra);
      return openssl_error("certificate chain");
    }
    X509_free(extra);
  }
  ERR_clear_error();  // the end of the chain reads as an error
  std::unique_ptr<BIO, BioFree> key_bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) return openssl_error("private key");
  const int key_used = SSL_CTX_use_PrivateKey(ctx, key);
  EVP_PKEY_free(key);
  if (key_used != 1 || SSL_CTX_check_private_key(ctx) != 1) return openssl_error("private key");
  return {};
}

std::string load_client_ca(SSL_CTX* ctx, const std::string& ca_pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size())));
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
  int count = 0;
  while (X509* ca = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store, ca);
    sk_X509_NAME_push(names, X509_NAME_dup(X509_get_subject_name(ca)));
    X509_free(ca);
    ++count;
  }
  ERR_clear_error();
  SSL_CTX_set_client_CA_list(ctx, names);
  return count > 0 ? std::string() : "CA bundle holds no PEM certificate";
}

std::shared_ptr<SSL_CTX> new_context() {
  return std::shared_ptr<SSL_CTX>(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
}

}  // namespace

std::optional<int> protocol_version(std::string_view name, int fallback) {
  if (name.empty() || name == "TLS_AUTO") return fallback;
  if (name == "TLSV1_0") return TLS1_VERSION;
  if (name == "TLSV1_1") return TLS1_1_VERSION;
  if (name == "TLSV1_2") return TLS1_2_VERSION;
  if (name == "TLSV1_3") return TLS1_3_VERSION;
  return std::nullopt;
}

ServerTls::ServerTls() : initial_(new_context()) {
  SSL_CTX_set_client_hello_cb(initial_.get(), &ServerTls::on_client_hello, this);
  SSL_CTX_set_min_proto_version(initial_.get(), TLS1_2_VERSION);
}

ServerTls::~ServerTls() = default;

std::string ServerTls::add_server(const std::vector<std::string>& hosts, const ServerTlsSettings& settings) {
  std::shared_ptr<SSL_CTX> ctx = new_context();
  if (!ctx) return openssl_error("cannot create a TLS context");
  SSL_CTX* c = ctx.get();
  for (const auto& [chain, key] : settings.key_pairs)
    if (std::string e = load_key_pair(c, chain, key); !e.empty()) return e;
  if (settings.key_pairs.empty()) return "no certificate";
  if (settings.client_auth != ServerTlsSettings::ClientAuth::kNone) {
    if (std::string e = load_client_ca(c, settings.client_ca_pem); !e.empty()) return e;
    if (!settings.client_crl_pem.empty())
      if (std::string e = add_revocation_lists(SSL_CTX_get_cert_store(c), settings.client_crl_pem); !e.empty())
        return e;
  }
  const std::string& ciphers = settings.cipher_list.empty() ? std::string(kDefaultCiphers) : settings.cipher_list;
  if (SSL_CTX_set_cipher_list(c, ciphers.c_str()) != 1) return openssl_error("cipherSuites");
  if (!settings.groups.empty() && SSL_CTX_set1_groups_list(c, settings.groups.c_str()) != 1)
    return openssl_error("ecdhCurves");
  SSL_CTX_set_alpn_select_cb(c, select_alpn, nullptr);
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_SERVER);
  static constexpr unsigned char kSessionContext[] = "switchyard";
  SSL_CTX_set_session_id_context(c, kSessionContext, sizeof(kSessionContext) - 1);

  const int index = static_cast<int>(servers_.size());
  servers_.push_back(Server{std::move(ctx), settings});
  for (const std::string& raw : hosts) {
    const std::string host = lower(raw);
    if (host == "*") {
      if (any_ < 0) any_ = index;
    } else if (host.starts_with("*.")) {
      const std::string suffix = host.substr(1);
      if (std::none_of(suffixes_.begin(), suffixes_.end(), [&](const auto& s) { return s.first == suffix; }))
        suffixes_.emplace_back(suffix, index);
    } else {
      exact_.try_emplace(host, index);  // the first server for a host keeps it, as Istio's merge does
    }
  }
  std::stable_sort(suffixes_.begin(), suffixes_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  return {};
}

int ServerTls::find(std::string_view sni) const {
  if (sni.empty()) return any_;
  const std::string name = lower(sni);
  if (auto it = exact_.find(name); it != exact_.end()) return it->second;
  for (const auto& [suffix, index] : suffixes_)
    if (name.size() > suffix.size() && name.ends_with(suffix)) return index;
  return any_;
}

namespace {

// The ex_data slot where a connection's SSL keeps its server's client-certificate rules.
int rules_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// After the chain verified: the client's own certificate (depth 0) must pass the server's rules.
int verify_client_rules(int preverified, X509_STORE_CTX* store) {
  if (preverified != 1 || X509_STORE_CTX_get_error_depth(store) != 0) return preverified;
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  const auto* rules = ssl ? static_cast<const PeerRules*>(SSL_get_ex_data(ssl, rules_index())) : nullptr;
  if (rules == nullptr || check_peer_rules(X509_STORE_CTX_get_current_cert(store), *rules).empty()) return 1;
  X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
  return 0;
}

}  // namespace

void ServerTls::apply(SSL* ssl, const Server& server) const {
  SSL_set_SSL_CTX(ssl, server.ctx.get());
  // SSL_set_SSL_CTX switches the certificates only: the rest of the chosen server's settings
  // are applied to this connection here.
  const ServerTlsSettings& s = server.settings;
  SSL_set_min_proto_version(ssl, s.min_version);
  SSL_set_max_proto_version(ssl, s.max_version);
  SSL_set_cipher_list(ssl, s.cipher_list.empty() ? kDefaultCiphers : s.cipher_list.c_str());
  // The key-exchange groups too: the ClientHello callback runs before the key share is chosen.
  if (!s.groups.empty()) SSL_set1_groups_list(ssl, s.groups.c_str());
  switch (s.client_auth) {
    case ServerTlsSettings::ClientAuth::kNone:
      SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
      break;
    case ServerTlsSettings::ClientAuth::kOptional:
    case ServerTlsSettings::ClientAuth::kRequired: {
      const bool rules = !s.client_rules.empty();
      // The rules live in the server's settings, which outlive every connection of this ServerTls.
      if (rules) SSL_set_ex_data(ssl, rules_index(), const_cast<PeerRules*>(&s.client_rules));
      const int mode = s.client_auth == ServerTlsSettings::ClientAuth::kRequired
                           ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
                           : SSL_VERIFY_PEER;
      SSL_set_verify(ssl, mode, rules ? &verify_client_rules : nullptr);
      break;
    }
  }
  if (s.client_auth != ServerTlsSettings::ClientAuth::kNone) {
    SSL_set1_verify_cert_store(ssl, SSL_CTX_get_cert_store(server.ctx.get()));
    SSL_set_client_CA_list(ssl, SSL_dup_CA_list(SSL_CTX_get_client_CA_list(server.ctx.get())));
  }
}

int ServerTls::on_client_hello(SSL* ssl, int* alert, void* arg) {
  const auto* self = static_cast<const ServerTls*>(arg);
  std::string_view sni;
  const unsigned char* ext = nullptr;
  size_t len = 0;
  // server_name extension: list length (2), then entries of type (1), name length (2), name.
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &ext, &len) == 1 && len >= 5) {
    const size_t list = (size_t{ext[0]} << 8) | ext[1];
    const size_t name_len = (size_t{ext[3]} << 8) | ext[4];
    if (list + 2 <= len && ext[2] == TLSEXT_NAMETYPE_host_name && 5 + name_len <= len)
      sni = std::string_view(reinterpret_cast<const char*>(ext + 5), name_len);
  }
  const int index = self->find(sni);
  if (index < 0) {
    *alert = SSL_AD_UNRECOGNIZED_NAME;
    return SSL_CLIENT_HELLO_ERROR;
  }
  self->apply(ssl, self->servers_[static_cast<size_t>(index)]);
  return SSL_CLIENT_HELLO_SUCCESS;
}

}  // namespace sy::tls
