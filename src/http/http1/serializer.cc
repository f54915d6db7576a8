#include "http/http1/serializer.h"

#include <charconv>
#include <cstring>
#include <type_traits>

#include "http/hop_by_hop.h"
#include "http/status.h"

namespace sy::http::h1 {
namespace {

// Either counts bytes or copies them: the same emit code computes the size and writes.
struct Out {
  char* p = nullptr;  // null: count only
  std::size_t n = 0;
  void put(std::string_view s) noexcept {
    if (p != nullptr) std::memcpy(p + n, s.data(), s.size());
    n += s.size();
  }
  void put_dec(std::uint64_t v) noexcept {
    char tmp[24];
    const auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
    put({tmp, static_cast<std::size_t>(r.ptr - tmp)});
  }
  void field(std::string_view name, std::string_view value) noexcept {
    put(name);
    put(": ");
    put(value);
    put("\r\n");
  }
};

bool skipped_field(std::string_view name, const HopByHopFilter& hop) noexcept {
  return iequals(name, "content-length") || hop.drops(name);
}

void emit_fields(Out& o, const HeaderMap& headers, const HopByHopFilter& hop, bool skip_host) noexcept {
  for (const auto& e : headers) {
    if (skip_host && e.name.size() == 4 && iequals(e.name, "host")) continue;
    if (skipped_field(e.name, hop)) continue;
    o.field(e.name, e.value);
  }
}

void emit_framing(Out& o, BodyFraming framing, const std::optional<std::uint64_t>& length) noexcept {
  switch (framing) {
    case BodyFraming::Chunked:
    case BodyFraming::Stream:
      o.put("Transfer-Encoding: chunked\r\n");
      return;
    case BodyFraming::ContentLength:
    case BodyFraming::None:
      if (length) {
        o.put("Content-Length: ");
        o.put_dec(*length);
        o.put("\r\n");
      }
      return;
    case BodyFraming::UntilClose:
      return;
  }
}

void emit_connection(Out& o, const HeadOptions& opts) noexcept {
  if (opts.tunnel) {
    o.put("Connection: upgrade\r\n");
  } else if (opts.close) {
    o.put("Connection: close\r\n");
  } else if (opts.keep_alive) {
    o.put("Connection: keep-alive\r\n");
  }
}

std::string_view wire_target(const RequestHead& h) noexcept {
  switch (h.target_form) {
    case TargetForm::Authority:
      return h.authority;
    case TargetForm::Asterisk:
      return "*";
    case TargetForm::Origin:
    case TargetForm::Absolute:
      return h.path.empty() ? std::string_view("/") : h.path;
  }
  return h.path;
}

void emit_request(Out& o, const RequestHead& h, const HeadOptions& opts) noexcept {
  o.put(h.method_name.empty() ? to_string(h.method) : h.method_name);
  o.put(" ");
  o.put(wire_target(h));
  o.put(" HTTP/1.1\r\n");
  if (!h.authority.empty()) o.field("Host", h.authority);
  const HopByHopFilter hop(h.headers, opts.tunnel);
  emit_fields(o, h.headers, hop, true);
  emit_framing(o, h.framing, h.content_length);
  emit_connection(o, opts);
  o.put("\r\n");
}

void emit_response(Out& o, const ResponseHead& h, const HeadOptions& opts) noexcept {
  o.put("HTTP/1.1 ");
  o.put_dec(static_cast<std::uint64_t>(h.status));
  o.put(" ");
  o.put(h.reason.empty() ? reason_phrase(h.status) : h.reason);
  o.put("\r\n");
  const HopByHopFilter hop(h.headers, opts.tunnel);
  emit_fields(o, h.headers, hop, false);
  // RFC 9110 section 8.6: no Content-Length (nor chunked) on 1xx and 204.
  if (!h.informational() && h.status != 204) emit_framing(o, h.framing, h.content_length);
  emit_connection(o, opts);
  o.put("\r\n");
}

// A cheap bound on the serialized size: everything in the map plus the fixed parts, without
// deciding which fields are dropped. Lets the common case write in a single pass.
template <class Head>
std::size_t upper_bound(const Head& head) noexcept {
  std::size_t n = 256;  // start line without target/reason, Host, framing, Connection, CRLFs
  for (const auto& e : head.headers) n += e.name.size() + e.value.size() + 4;
  if constexpr (std::is_same_v<Head, RequestHead>) {
    n += head.method_name.size() + head.target.size() + head.path.size() + head.authority.size() * 2;
  } else {
    n += head.reason.size();
  }
  return n;
}

template <class Head, class Emit>
std::size_t write_head(const Head& head, const HeadOptions& opts, std::span<char> out, Emit emit) noexcept {
  if (out.size() < upper_bound(head)) {
    Out count;
    emit(count, head, opts);
    if (count.n > out.size()) return 0;
  }
  Out w{out.data(), 0};
  emit(w, head, opts);
  return w.n;
}

template <class Head, class Emit>
void append_head(const Head& head, const HeadOptions& opts, std::string& out, Emit emit) {
  const std::size_t at = out.size();
  out.resize(at + upper_bound(head));
  Out w{out.data() + at, 0};
  emit(w, head, opts);
  out.resize(at + w.n);
}

}  // namespace

std::size_t request_head_size(const RequestHead& head, const HeadOptions& opts) noexcept {
  Out o;
  emit_request(o, head, opts);
  return o.n;
}

std::size_t response_head_size(const ResponseHead& head, const HeadOptions& opts) noexcept {
  Out o;
  emit_response(o, head, opts);
  return o.n;
}

std::size_t write_request_head(const RequestHead& head, const HeadOptions& opts, std::span<char> out) noexcept {
  return write_head(head, opts, out, emit_request);
}

std::size_t write_response_head(const ResponseHead& head, const HeadOptions& opts, std::span<char> out) noexcept {
  return write_head(head, opts, out, emit_response);
}

void append_request_head(const RequestHead& head, const HeadOptions& opts, std::string& out) {
  append_head(head, opts, out, emit_request);
}

void append_response_head(const ResponseHead& head, const HeadOptions& opts, std::string& out) {
  append_head(head, opts, out, emit_response);
}

ChunkPrefix::ChunkPrefix(std::size_t size) noexcept {
  const auto r = std::to_chars(buf_, buf_ + 16, static_cast<std::uint64_t>(size), 16);
  char* p = r.ptr;
  *p++ = '\r';
  *p++ = '\n';
  len_ = static_cast<unsigned char>(p - buf_);
}

void append_last_chunk(const HeaderMap& trailers, std::string& out) {
  out.append("0\r\n");
  const HopByHopFilter hop(trailers);
  for (const auto& e : trailers) {
    if (skipped_field(e.name, hop) || iequals(e.name, "host")) continue;
    out.append(e.name).append(": ").append(e.value).append("\r\n");
  }
  out.append("\r\n");
}

std::string render_local_response(int status, std::string_view body, bool close_connection) {
  if (body.empty()) body = local_response_body(status);
  const ResponseHead head = local_response_head(status, body.size(), close_connection);
  std::string out;
  HeadOptions opts;
  opts.close = close_connection;
  append_response_head(head, opts, out);
  out.append(body);
  return out;
}

}  // namespace sy::http::h1
