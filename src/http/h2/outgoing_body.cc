#include "http/h2/outgoing_body.h"

#include <algorithm>
#include <cstring>

namespace sy::http::h2 {

bool OutgoingBody::append(std::string_view bytes) {
  if (end || bytes.empty()) return false;
  if (offset > 0 && offset >= data.size() / 2) {  // keep the buffer compact
    data.erase(0, offset);
    offset = 0;
  }
  data.append(bytes);
  const bool resume = deferred;
  deferred = false;
  return resume;
}

bool OutgoingBody::finish(const HeaderMap* trailer_fields) {
  if (end) return false;
  end = true;
  if (trailer_fields != nullptr && !trailer_fields->empty()) {
    trailers = *trailer_fields;
    has_trailers = true;
  }
  const bool resume = deferred;
  deferred = false;
  return resume;
}

ssize_t OutgoingBody::read(nghttp2_session* session, int32_t stream_id, uint8_t* buf, std::size_t length,
                           uint32_t* flags, FieldScratch& scratch) {
  const std::size_t n = std::min(length, queued());
  std::memcpy(buf, data.data() + offset, n);
  offset += n;
  if (offset == data.size()) {
    data.clear();
    offset = 0;
  }
  if (queued() == 0 && end) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (has_trailers) {
      trailer_fields(trailers, scratch);
      if (!scratch.nv.empty() && nghttp2_submit_trailer(session, stream_id, scratch.nv.data(), scratch.nv.size()) == 0)
        *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
    }
  } else if (n == 0) {
    deferred = true;
    return NGHTTP2_ERR_DEFERRED;
  }
  return static_cast<ssize_t>(n);
}

}  // namespace sy::http::h2
