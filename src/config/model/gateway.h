// networking.istio.io Gateway: which ports and hosts a gateway proxy listens for.
#pragma once

#include "config/model/common.h"

namespace sy::config {

struct GatewayPort {
  uint32_t number = 0;
  std::string protocol;  // HTTP|HTTPS|GRPC|GRPC-WEB|HTTP2|MONGO|TCP|TLS (upper-case)
  std::string name;
  std::optional<uint32_t> target_port;  // deprecated, ignored
};

struct ServerTLSSettings {
  enum class Mode { kPassthrough, kSimple, kMutual, kAutoPassthrough, kIstioMutual, kOptionalMutual };
  struct Certificate {
    std::string server_certificate;
    std::string private_key;
    std::string ca_certificates;
  };
  bool https_redirect = false;
  Mode mode = Mode::kPassthrough;  // enum value 0, as in the proto
  std::string server_certificate;
  std::string private_key;
  std::string ca_certificates;
  std::string ca_crl;
  std::string credential_name;
  std::vector<std::string> credential_names;
  std::vector<Certificate> tls_certificates;
  std::string ca_cert_credential_name;
  std::vector<std::string> subject_alt_names;
  std::vector<std::string> verify_certificate_spki;
  std::vector<std::string> verify_certificate_hash;
  std::string min_protocol_version;  // TLS_AUTO|TLSV1_0..TLSV1_3
  std::string max_protocol_version;
  std::vector<std::string> cipher_suites;
  std::vector<std::string> ecdh_curves;
  std::optional<bool> insecure_skip_verify;  // accept a client certificate that fails verification
};

struct Server {
  GatewayPort port;
  std::string bind;
  std::vector<std::string> hosts;  // "[namespace/]dnsName"
  std::optional<ServerTLSSettings> tls;
  std::string default_endpoint;
  std::string name;
};

struct Gateway {
  ObjectMeta meta;
  Source source;
  std::vector<Server> servers;
  Labels selector;
};

}  // namespace sy::config
