// The body one end of an HTTP/2 stream sends (a response on the server side, a request on the
// client side): bytes queued until nghttp2 frames them as DATA, the end, and trailers to follow.
// Shared by http::h2::ServerSession and ClientSession; used on one worker thread.
#pragma once

#include <nghttp2/nghttp2.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "http/h2/fields.h"
#include "http/header_map.h"

namespace sy::http::h2 {

struct OutgoingBody {
  std::string data;
  std::size_t offset = 0;  // bytes of `data` already framed
  bool end = false;
  bool deferred = false;  // nghttp2 waits for more: resume the stream on append/finish
  bool has_trailers = false;
  HeaderMap trailers;

  std::size_t queued() const noexcept { return data.size() - offset; }
  // Queues bytes; true when nghttp2 must be told to resume the stream.
  bool append(std::string_view bytes);
  // The end, with trailers if any; true when nghttp2 must be told to resume the stream.
  bool finish(const HeaderMap* trailer_fields);
  // The work of nghttp2's data source read callback: copies queued bytes into `buf`; at the end
  // sets EOF and submits the trailers (then the DATA frame does not end the stream). Returns the
  // bytes copied, or NGHTTP2_ERR_DEFERRED when nothing is queued yet.
  ssize_t read(nghttp2_session* session, int32_t stream_id, uint8_t* buf, std::size_t length, uint32_t* flags,
               FieldScratch& scratch);
};

}  // namespace sy::http::h2
