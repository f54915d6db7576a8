// Traffic mirroring (VirtualService `mirror`/`mirrors`, docs/semantics.md §5.4): a fire-and-forget copy
// of a request to another cluster, its Host suffixed `-shadow`. Runs as a detached coroutine on
// the worker that owns the original request, on its own fresh connection, bounded by a timeout;
// its response and failures are discarded and never reach the client.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "http/message.h"
#include "proxy/worker_context.h"

namespace sy::proxy {

// "httpbin:8000" -> "httpbin-shadow:8000", "cluster-1" -> "cluster-1-shadow", "[::1]:80" ->
// "[::1]-shadow:80" (the suffix goes on the host part, before any port).
std::string shadow_authority(std::string_view authority);

// Largest request body that is buffered so it can be mirrored.
inline constexpr size_t kMirrorBodyLimit = 64 * 1024;
// A mirror exchange gives up after this long (or the route timeout when shorter).
inline constexpr std::chrono::milliseconds kMirrorTimeout{5000};

// Starts the copy of `head` (already rewritten for the upstream) with `body` to `cluster` of
// `table`'s snapshot. Returns at once; the table stays alive until the copy is done. `head` is
// only borrowed (its authority is swapped while the copy is serialized). `proxy_header` (the
// mirror cluster's PROXY protocol header for this client, or empty) goes first on the connection.
void spawn_mirror(WorkerContext& ctx, std::shared_ptr<upstream::ClusterTable> table, uint32_t cluster,
                  http::RequestHead& head, std::string body, std::chrono::milliseconds timeout,
                  std::string proxy_header = {});

}  // namespace sy::proxy
