// Turns what the parser adapter collected (start line, fields, framing facts) into the final
// RequestHead / ResponseHead: target split, authority choice, body framing, connection flags.
// Library-free so the semantics are ours; called once per head on the connection's thread.
#pragma once

#include "http/http1/framing_check.h"
#include "http/http1/parse_result.h"
#include "http/message.h"

namespace sy::http::h1 {

// Connection facts the parser library derives from Connection / Upgrade headers.
struct ConnectionFacts {
  bool keep_alive = true;
  bool upgrade = false;  // "Connection: upgrade" and an Upgrade header
};

// `head` already holds method, method_name, target, version and headers, all pointing into its
// own block. host_index is the position of the Host entry in head.headers, or -1.
ParseError finish_request_head(RequestHead& head, const FramingCheck& check, ConnectionFacts conn, int host_index);

// `head` already holds status, reason, version and headers. request_method decides HEAD (no body)
// and CONNECT (a 2xx opens a tunnel).
ParseError finish_response_head(ResponseHead& head, const FramingCheck& check, ConnectionFacts conn,
                                Method request_method);

}  // namespace sy::http::h1
