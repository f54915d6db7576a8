#include "tls/client_hello.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <string>

namespace sy::tls {
namespace {

// A real ClientHello from OpenSSL's client, with `sni` (or none when empty).
std::string client_hello(const std::string& sni) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl, in, out);
  if (!sni.empty()) SSL_set_tlsext_host_name(ssl, sni.c_str());
  SSL_connect(ssl);  // writes the ClientHello into `out`, then wants to read
  char* data = nullptr;
  const long n = BIO_get_mem_data(out, &data);
  std::string hello(data, static_cast<size_t>(n));
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return hello;
}

// The same handshake bytes spread over two records.
std::string split_in_two_records(const std::string& hello) {
  const std::string body = hello.substr(5);
  const size_t half = body.size() / 2;
  auto record = [&](std::string_view part) {
    std::string r = hello.substr(0, 3);
    r += static_cast<char>(part.size() >> 8);
    r += static_cast<char>(part.size() & 0xFF);
    r.append(part);
    return r;
  };
  return record(std::string_view(body).substr(0, half)) + record(std::string_view(body).substr(half));
}

// Scenario: the SNI is read from whole ClientHellos, refused for other bytes, and awaited while partial.
TEST(ClientHello, PeekServerName) {
  using Status = ClientHelloPeek::Status;
  const std::string with_sni = client_hello("a.example.com");
  const std::string without_sni = client_hello("");
  struct Case {
    const char* name;
    std::string bytes;
    Status status;
    std::string sni;
  };
  const Case cases[] = {
      {"sni", with_sni, Status::kComplete, "a.example.com"},
      {"no sni", without_sni, Status::kComplete, ""},
      {"two records", split_in_two_records(with_sni), Status::kComplete, "a.example.com"},
      {"first byte only", with_sni.substr(0, 1), Status::kNeedMore, ""},
      {"record header only", with_sni.substr(0, 5), Status::kNeedMore, ""},
      {"all but the last byte", with_sni.substr(0, with_sni.size() - 1), Status::kNeedMore, ""},
      {"plaintext HTTP", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", Status::kNotTls, ""},
      {"alert record", std::string("\x15\x03\x01\x00\x02\x02\x28", 7), Status::kNotTls, ""},
      {"empty record", std::string("\x16\x03\x01\x00\x00", 5), Status::kNotTls, ""},
  };
  for (const Case& c : cases) {
    const ClientHelloPeek p = peek_client_hello(c.bytes);
    EXPECT_EQ(p.status, c.status) << c.name;
    EXPECT_EQ(p.server_name, c.sni) << c.name;
  }
  // A ClientHello whose body lies about its lengths is not read as the real one (and never read
  // past its end: the sanitizer builds run this).
  std::string lying = with_sni;
  lying[5 + 4 + 2 + 32] = static_cast<char>(0xFF);  // session id length far from the truth
  const ClientHelloPeek p = peek_client_hello(lying);
  EXPECT_FALSE(p.status == Status::kComplete && p.server_name == "a.example.com");
}

}  // namespace
}  // namespace sy::tls
