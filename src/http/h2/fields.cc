#include "http/h2/fields.h"

#include <algorithm>
#include <charconv>

#include "http/hop_by_hop.h"

namespace sy::http::h2 {

namespace {

// Fields HTTP/2 forbids or carries elsewhere (RFC 9113 section 8.2.2; Host becomes :authority).
// Sorted out by length first: this runs for every field of every HTTP/2 head.
bool connection_specific(std::string_view name) {
  switch (name.size()) {
    case 2: return iequals(name, "te");
    case 4: return iequals(name, "host");
    case 7: return iequals(name, "upgrade");
    case 10: return iequals(name, "connection") || iequals(name, "keep-alive");
    case 14: return iequals(name, "http2-settings");
    case 16: return iequals(name, "proxy-connection");
    case 17: return iequals(name, "transfer-encoding");
    default: return false;
  }
}

bool content_length(std::string_view name) { return name.size() == 14 && iequals(name, "content-length"); }

nghttp2_nv nv_of(std::string_view name, std::string_view value) {
  return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
                    NGHTTP2_NV_FLAG_NONE};
}

// Appends `fields` for which keep(name) holds, lowercasing names into scratch.names (reserved
// up front so the views stay put). Content-Length always comes from the head instead.
template <class Keep>
void append_fields(const HeaderMap& fields, FieldScratch& s, Keep keep) {
  size_t total = 0;
  for (const auto& e : fields) total += e.name.size();
  s.names.clear();
  s.names.reserve(total);
  for (const auto& e : fields) {
    if (e.name.empty() || e.name[0] == ':' || content_length(e.name) || !keep(e.name, e.value)) continue;
    const size_t at = s.names.size();
    s.names.resize(at + e.name.size());  // within the reservation: earlier views stay valid
    char* out = s.names.data() + at;
    for (char c : e.name) *out++ = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    s.nv.push_back(nv_of(std::string_view(s.names).substr(at, e.name.size()), e.value));
  }
}

void append_length(const std::optional<uint64_t>& length, FieldScratch& s) {
  if (!length) return;
  auto [end, ec] = std::to_chars(std::begin(s.length), std::end(s.length), *length);
  s.nv.push_back(nv_of("content-length", std::string_view(s.length, static_cast<size_t>(end - s.length))));
}

}  // namespace

void response_fields(const ResponseHead& head, FieldScratch& s) {
  s.nv.clear();
  const int status = std::clamp(head.status, 100, 999);
  s.status[0] = static_cast<char>('0' + status / 100);
  s.status[1] = static_cast<char>('0' + status / 10 % 10);
  s.status[2] = static_cast<char>('0' + status % 10);
  s.nv.push_back(nv_of(":status", std::string_view(s.status, 3)));
  append_fields(head.headers, s, [](std::string_view name, std::string_view) { return !connection_specific(name); });
  if (head.status != 204 && !head.informational()) append_length(head.content_length, s);
}

void request_fields(const RequestHead& head, std::string_view scheme, FieldScratch& s) {
  s.nv.clear();
  s.nv.push_back(nv_of(":method", head.method_name.empty() ? to_string(head.method) : head.method_name));
  s.nv.push_back(nv_of(":scheme", scheme));
  s.nv.push_back(nv_of(":authority", head.authority));
  s.nv.push_back(nv_of(":path", head.path.empty() ? std::string_view("/") : head.path));
  const HopByHopFilter hop(head.headers);
  append_fields(head.headers, s, [&](std::string_view name, std::string_view value) {
    if (iequals(name, "te")) return iequals(value, "trailers");  // the one TE HTTP/2 allows
    return !connection_specific(name) && !hop.drops(name);
  });
  if (head.framing == BodyFraming::ContentLength) append_length(head.content_length, s);
}

void trailer_fields(const HeaderMap& trailers, FieldScratch& s) {
  s.nv.clear();
  append_fields(trailers, s, [](std::string_view name, std::string_view) { return !connection_specific(name); });
}

}  // namespace sy::http::h2
