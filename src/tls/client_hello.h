// The server name a TLS client asks for, read from its ClientHello without terminating TLS: what
// a PASSTHROUGH gateway routes on (VirtualService `tls[].match.sniHosts`). Handles a ClientHello
// spread over several records, up to kMaxHello bytes. Pure; any thread; fuzzed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sy::tls {

struct ClientHelloPeek {
  enum class Status { kNeedMore, kComplete, kNotTls };
  Status status = Status::kNeedMore;
  std::string server_name;  // with kComplete: the SNI host name, empty when the client sent none
};

inline constexpr size_t kMaxHello = 16 * 1024;

// Looks at the first bytes a client sent. kNeedMore: the ClientHello is not complete yet (and
// `bytes` is under kMaxHello); kNotTls: this is not a TLS ClientHello, or it is malformed.
ClientHelloPeek peek_client_hello(std::string_view bytes);

}  // namespace sy::tls
