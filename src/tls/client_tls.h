// Upstream TLS origination for one cluster (DestinationRule `trafficPolicy.tls`, SIMPLE or
// MUTUAL): the client SSL_CTX (trust: `caCertificates` or the system store; a client certificate
// for MUTUAL) and, per connection, the SNI and the name check. As in Istio, an unset `sni` is the
// request's host (auto SNI) and, without `subjectAltNames` and `insecureSkipVerify`, the upstream
// certificate must match that host (auto SAN validation). Built with the snapshot, immutable.
// OpenSSL only; any thread.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <mutex>
#include <string_view>
#include <vector>

namespace sy::tls {

struct ClientTlsSettings {
  std::string ca_pem;                          // empty: the system's trust store
  std::string crl_pem;                         // caCrl: revoked upstream certificates; empty = none
  std::string cert_pem, key_pem;               // MUTUAL: the client certificate and its key
  std::string sni;                             // empty: the request's host
  std::vector<std::string> subject_alt_names;  // DNS names or URIs the upstream certificate must carry one of
  bool insecure_skip_verify = false;
  // Without subjectAltNames, the certificate must match the SNI (Istio's auto SAN validation for
  // SIMPLE/MUTUAL). ISTIO_MUTUAL's SNI is a cluster name, not the upstream's identity: off there.
  bool verify_sni_name = true;
  std::vector<std::string> alpn;  // offered protocols, e.g. Istio's in-mesh "istio"; empty = none
};

class ClientTls {
 public:
  // Null with `error` set when the material does not load.
  static std::shared_ptr<const ClientTls> make(const ClientTlsSettings& settings, std::string& error);

  SSL_CTX* context() const { return ctx_.get(); }
  // What it was made from (explain and tests read the names it checks).
  const ClientTlsSettings& settings() const { return settings_; }
  // The SNI for a request to `authority` ("host" or "host:port"); empty for an IP address.
  std::string server_name(std::string_view authority) const;
  // Sets SNI on a new connection's SSL.
  void prepare(SSL* ssl, const std::string& server_name) const;
  // After the handshake: "" when the upstream's certificate is acceptable for `server_name`,
  // else why not (chain errors are reported by the handshake itself).
  std::string check_peer(SSL* ssl, const std::string& server_name) const;

  // TLS session resumption: `key` names one upstream and name (endpoint and SNI). After a
  // connection's first exchange, save_session keeps its session if resumable (TLS 1.3 tickets
  // arrive after the handshake, so not earlier); offer_session puts the last one kept on a new
  // connection, whose handshake then resumes unless the upstream declines. Any thread (a lock
  // taken once per new connection, never per request).
  void save_session(const std::string& key, SSL* ssl) const;
  void offer_session(const std::string& key, SSL* ssl) const;

  ~ClientTls();
  ClientTls(const ClientTls&) = delete;
  ClientTls& operator=(const ClientTls&) = delete;

 private:
  ClientTls() = default;
  // Bounds the cache: beyond this many upstreams it starts over (sessions are only an optimisation).
  static constexpr size_t kMaxSessions = 4096;
  std::shared_ptr<SSL_CTX> ctx_;
  ClientTlsSettings settings_;
  mutable std::mutex sessions_mu_;
  mutable std::unordered_map<std::string, SSL_SESSION*> sessions_;  // owned references
};

}  // namespace sy::tls
