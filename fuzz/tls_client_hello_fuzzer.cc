// Fuzz target: the TLS ClientHello peek (src/tls/client_hello.h), which reads a client's first
// bytes before any TLS library sees them, to route PASSTHROUGH traffic by SNI. Input: the bytes
// the client sent. The peek is also run on prefixes of the input, the way a connection calls it
// as bytes arrive, and the answers must be consistent: once a prefix is Complete (with a name) or
// NotTls, every longer input must give the same answer, or routing would depend on how the
// ClientHello happened to be split into TCP segments.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "tls/client_hello.h"

namespace {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz check failed: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using Status = sy::tls::ClientHelloPeek::Status;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const sy::tls::ClientHelloPeek full = sy::tls::peek_client_hello(bytes);
  check(full.status != Status::kNeedMore || size < sy::tls::kMaxHello + 5, "NeedMore past the size limit");
  check(full.server_name.size() <= size, "server name longer than the input");
  // 32 evenly spaced prefixes keep this linear-ish in the input size.
  constexpr std::size_t kCuts = 32;
  for (std::size_t i = 0; i < kCuts; ++i) {
    const sy::tls::ClientHelloPeek part = sy::tls::peek_client_hello(bytes.substr(0, size * i / kCuts));
    if (part.status == Status::kNeedMore) continue;
    check(part.status == full.status, "a longer input changed a final answer");
    check(part.server_name == full.server_name, "a longer input changed the server name");
  }
  return 0;
}
