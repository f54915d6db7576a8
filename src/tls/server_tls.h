// The TLS side of one gateway listener (a port): its servers' certificates, chosen per
// connection by the ClientHello's SNI the way Envoy picks a filter chain — the exact host, then
// the longest `*.` suffix, then a `*` server. A ClientHello whose name no server takes (or that
// has no name while no `*` server exists) is refused with an `unrecognized_name` alert: never
// answered with another host's certificate. Built once per config version with the snapshot and
// immutable afterwards; connections hold it (shared) for as long as their handshake may need it.
// OpenSSL only; no sockets.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tls/peer_identity.h"

namespace sy::tls {

struct ServerTlsSettings {
  enum class ClientAuth { kNone, kOptional, kRequired };  // SIMPLE, OPTIONAL_MUTUAL, MUTUAL
  // (certificate chain PEM, private key PEM): several, e.g. RSA and ECDSA side by side.
  std::vector<std::pair<std::string, std::string>> key_pairs;
  std::string client_ca_pem;   // trust for client certificates (MUTUAL, OPTIONAL_MUTUAL)
  std::string client_crl_pem;  // caCrl: revoked client certificates (tls/revocation.h); empty = none
  ClientAuth client_auth = ClientAuth::kNone;
  int min_version = TLS1_2_VERSION;  // Istio's gateway default: TLS 1.2 minimum
  int max_version = TLS1_3_VERSION;
  std::string cipher_list;  // OpenSSL names, ':'-separated, for TLS <= 1.2; empty = Envoy's default list
  std::string groups;       // ecdhCurves, ':'-separated (P-256, X25519, ...); empty = OpenSSL's defaults
  // A client certificate must also pass these (subjectAltNames, verifyCertificateSpki/Hash).
  PeerRules client_rules;
};

// Istio's protocol-version names (TLS_AUTO, TLSV1_0 .. TLSV1_3) as OpenSSL versions; nullopt when
// unknown. TLS_AUTO is `fallback`.
std::optional<int> protocol_version(std::string_view name, int fallback);

class ServerTls {
 public:
  ServerTls();
  ~ServerTls();
  ServerTls(const ServerTls&) = delete;
  ServerTls& operator=(const ServerTls&) = delete;

  // One Gateway server: its hosts (without namespace) and settings. "" or what failed.
  std::string add_server(const std::vector<std::string>& hosts, const ServerTlsSettings& settings);
  bool empty() const { return servers_.empty(); }
  // The context a connection's SSL object starts from; the ClientHello callback switches it to
  // the chosen server's.
  SSL_CTX* context() const { return initial_.get(); }
  // Index of the server that takes `sni` (empty: no SNI sent), or -1.
  int find(std::string_view sni) const;

 private:
  struct Server {
    std::shared_ptr<SSL_CTX> ctx;
    ServerTlsSettings settings;
  };
  static int on_client_hello(SSL* ssl, int* alert, void* arg);
  void apply(SSL* ssl, const Server& server) const;

  std::shared_ptr<SSL_CTX> initial_;
  std::vector<Server> servers_;
  std::unordered_map<std::string, int> exact_;
  std::vector<std::pair<std::string, int>> suffixes_;  // ".example.com", longest first
  int any_ = -1;
};

}  // namespace sy::tls
