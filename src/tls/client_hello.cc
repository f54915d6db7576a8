#include "tls/client_hello.h"

#include <cstdint>

namespace sy::tls {

namespace {

using Status = ClientHelloPeek::Status;

// A bounds-checked reader over the ClientHello body.
struct Reader {
  std::string_view data;
  size_t pos = 0;
  bool ok = true;

  uint32_t take(size_t n) {  // big-endian integer of n bytes
    if (pos + n > data.size()) {
      ok = false;
      return 0;
    }
    uint32_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(data[pos + i]);
    pos += n;
    return v;
  }
  std::string_view bytes(size_t n) {
    if (pos + n > data.size()) {
      ok = false;
      return {};
    }
    std::string_view out = data.substr(pos, n);
    pos += n;
    return out;
  }
};

// The server_name extension's host name (RFC 6066 section 3), or "" when absent.
bool server_name_of(std::string_view body, std::string& out) {
  Reader r{body};
  r.take(2);           // legacy_version
  r.bytes(32);         // random
  r.bytes(r.take(1));  // legacy_session_id
  r.bytes(r.take(2));  // cipher_suites
  r.bytes(r.take(1));  // legacy_compression_methods
  if (!r.ok) return false;
  if (r.pos == body.size()) return true;  // no extensions at all
  Reader ext{r.bytes(r.take(2))};
  if (!r.ok) return false;
  while (ext.ok && ext.pos < ext.data.size()) {
    const uint32_t type = ext.take(2);
    Reader value{ext.bytes(ext.take(2))};
    if (!ext.ok) return false;
    if (type != 0) continue;
    Reader list{value.bytes(value.take(2))};
    while (list.ok && list.pos < list.data.size()) {
      const uint32_t name_type = list.take(1);
      const std::string_view name = list.bytes(list.take(2));
      if (list.ok && name_type == 0) {
        out.assign(name);
        return true;
      }
    }
    return list.ok;
  }
  return ext.ok;
}

}  // namespace

ClientHelloPeek peek_client_hello(std::string_view bytes) {
  ClientHelloPeek result;
  // Gather the handshake bytes from consecutive handshake records.
  std::string handshake;
  size_t pos = 0;
  for (;;) {
    if (bytes.size() - pos < 5) break;
    const auto type = static_cast<unsigned char>(bytes[pos]);
    const auto major = static_cast<unsigned char>(bytes[pos + 1]);
    const size_t length = (size_t{static_cast<unsigned char>(bytes[pos + 3])} << 8) |
                          static_cast<unsigned char>(bytes[pos + 4]);
    if (type != 22 || major != 3 || length == 0 || length > 16384 + 2048) {
      result.status = Status::kNotTls;
      return result;
    }
    if (bytes.size() - pos - 5 < length) break;  // this record is not complete yet
    handshake.append(bytes.substr(pos + 5, length));
    pos += 5 + length;
    if (handshake.size() >= 4) {
      if (static_cast<unsigned char>(handshake[0]) != 1) {  // not a ClientHello
        result.status = Status::kNotTls;
        return result;
      }
      const size_t hello_length = (size_t{static_cast<unsigned char>(handshake[1])} << 16) |
                                  (size_t{static_cast<unsigned char>(handshake[2])} << 8) |
                                  static_cast<unsigned char>(handshake[3]);
      if (hello_length > kMaxHello) {
        result.status = Status::kNotTls;
        return result;
      }
      if (handshake.size() - 4 >= hello_length) {
        result.status = server_name_of(std::string_view(handshake).substr(4, hello_length), result.server_name)
                            ? Status::kComplete
                            : Status::kNotTls;
        return result;
      }
    }
  }
  if (bytes.size() >= kMaxHello + 5) result.status = Status::kNotTls;
  return result;
}

}  // namespace sy::tls
