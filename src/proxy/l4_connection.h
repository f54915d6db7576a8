// A client connection on an L4 listener (Gateway `protocol: TCP`, or TLS PASSTHROUGH), or a mesh
// connection meant for a service's TCP port (snapshot::MeshTcpService): picks a tcp[]/tls[]
// route (by the ClientHello's SNI for passthrough, without terminating TLS; by the original
// destination on the mesh, the service's own cluster when no rule takes it), a weighted destination, an endpoint (balancer, outlier detection, circuit breaker
// maxConnections), connects within the cluster's connect timeout and then copies bytes both ways
// until both sides close or nothing moved for the cluster's tcp.idleTimeout (Istio: 1 h).
// A connection no route takes, or whose upstream cannot be reached, is closed.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include "proxy/listener_binding.h"
#include "proxy/worker_context.h"

namespace sy::proxy {

// Whether a mesh connection (binding.mesh; port and original_dst as accepted) is meant for a
// service's TCP port in `snap`, and so is routed below HTTP.
bool is_mesh_tcp(const snapshot::Snapshot& snap, const ListenerBinding& binding);

void start_l4_connection(WorkerContext& ctx, ListenerBinding binding, boost::asio::ip::tcp::socket socket,
                         ConnectionClosed on_closed);

}  // namespace sy::proxy
