#include "http/grpc_web.h"

#include <array>
#include <cstdint>

namespace sy::http {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// The media type without parameters, and whether it is `base` or `base+<codec>`.
bool media_type_is(std::string_view value, std::string_view base) {
  const size_t semi = value.find(';');
  std::string_view type = value.substr(0, semi);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  if (!starts_with_nocase(type, base)) return false;
  return type.size() == base.size() || type[base.size()] == '+';
}

int value_of(char c) {
  const size_t i = kAlphabet.find(c);
  return i == std::string_view::npos ? -1 : static_cast<int>(i);
}

void encode_group(const unsigned char* in, size_t n, std::string& out) {
  const uint32_t v = (uint32_t{in[0]} << 16) | (n > 1 ? uint32_t{in[1]} << 8 : 0) | (n > 2 ? uint32_t{in[2]} : 0);
  out += kAlphabet[(v >> 18) & 63];
  out += kAlphabet[(v >> 12) & 63];
  out += n > 1 ? kAlphabet[(v >> 6) & 63] : '=';
  out += n > 2 ? kAlphabet[v & 63] : '=';
}

// One 4-character group; false when malformed.
bool decode_group(std::string_view g, std::string& out) {
  int v[4];
  int pad = 0;
  for (int i = 0; i < 4; ++i) {
    if (g[i] == '=') {
      if (i < 2) return false;
      ++pad;
      v[i] = 0;
      continue;
    }
    if (pad > 0) return false;  // data after padding inside a group
    v[i] = value_of(g[i]);
    if (v[i] < 0) return false;
  }
  const uint32_t bits = (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) | (uint32_t(v[2]) << 6) | uint32_t(v[3]);
  out += static_cast<char>((bits >> 16) & 0xff);
  if (pad < 2) out += static_cast<char>((bits >> 8) & 0xff);
  if (pad < 1) out += static_cast<char>(bits & 0xff);
  return true;
}

}  // namespace

GrpcWebKind grpc_web_kind(const HeaderMap& headers) noexcept {
  auto ct = headers.get("content-type");
  if (!ct) return GrpcWebKind::kNone;
  if (media_type_is(*ct, "application/grpc-web-text")) return GrpcWebKind::kText;
  if (media_type_is(*ct, "application/grpc-web")) return GrpcWebKind::kBinary;
  return GrpcWebKind::kNone;
}

std::string_view grpc_web_response_content_type(GrpcWebKind kind) noexcept {
  return kind == GrpcWebKind::kText ? "application/grpc-web-text+proto" : "application/grpc-web+proto";
}

std::string grpc_web_trailer_frame(const HeaderMap& trailers) {
  std::string payload;
  for (const HeaderMap::Entry& e : trailers) {
    for (char c : e.name) payload += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    payload += ':';
    payload += e.value;
    payload += "\r\n";
  }
  std::string frame;
  frame += static_cast<char>(0x80);
  const auto n = static_cast<uint32_t>(payload.size());
  frame += static_cast<char>((n >> 24) & 0xff);
  frame += static_cast<char>((n >> 16) & 0xff);
  frame += static_cast<char>((n >> 8) & 0xff);
  frame += static_cast<char>(n & 0xff);
  frame += payload;
  return frame;
}

void Base64StreamEncoder::encode(std::string_view in, std::string& out) {
  std::string joined;
  if (!carry_.empty()) {
    joined = carry_;
    joined.append(in);
    in = joined;
  }
  const size_t whole = in.size() / 3 * 3;
  const auto* bytes = reinterpret_cast<const unsigned char*>(in.data());
  for (size_t i = 0; i < whole; i += 3) encode_group(bytes + i, 3, out);
  carry_.assign(in.substr(whole));
}

void Base64StreamEncoder::finish(std::string& out) {
  if (!carry_.empty()) encode_group(reinterpret_cast<const unsigned char*>(carry_.data()), carry_.size(), out);
  carry_.clear();
}

bool Base64StreamDecoder::decode(std::string_view in, std::string& out) {
  for (char c : in) {
    if (c == '\r' || c == '\n') continue;  // line breaks some encoders insert
    carry_ += c;
    if (carry_.size() < 4) continue;
    if (!decode_group(carry_, out)) return false;
    carry_.clear();
  }
  return true;
}

}  // namespace sy::http
