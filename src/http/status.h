// HTTP status codes: standard reason phrases and locally generated responses (errors the gateway
// answers itself: 400 on a bad request, 431, 502/503/504 from upstream failures, 404 no route).
// Pure; any thread.
#pragma once

#include <string_view>

#include "http/message.h"

namespace sy::http {

// RFC 9110 reason phrase ("Not Found"); "Unknown" for codes without one.
std::string_view reason_phrase(int status) noexcept;

// Head of a response the gateway generates: given status, Content-Type text/plain,
// Content-Length = body_size, and "close" when the connection must not be reused (parse errors).
// The body itself is the caller's (e.g. local_response_body(status)); views are static.
ResponseHead local_response_head(int status, std::size_t body_size, bool close_connection = false);

// A short default body for local responses: the reason phrase and a newline ("Not Found\n").
std::string_view local_response_body(int status) noexcept;

}  // namespace sy::http
