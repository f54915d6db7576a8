// config::ConfigSet -> immutable Snapshot. Runs on the config/reload thread; pure (no I/O, no
// clocks). Never fails as a whole: problems become Snapshot::diagnostics and, for routes to an
// unknown host/port/subset, a "missing" cluster that answers 503 NC at runtime.
//
// Merge order when several VirtualServices serve one host on a gateway (Istio leaves it
// undefined and uses creationTimestamp, which files do not have), switchyard's rule is:
//   1. VirtualServices in load order = file path order, then position in the file
//      (config::Source::index);
//   2. inside a VS, http[] order, each route's match[] blocks in order; after the first
//      catch-all entry of a VS its remaining rules are dropped (unreachable, as in Istio);
//   3. then every catch-all entry (no match, or only uri prefix "/" / regex ".*") is moved to the
//      end of the host's list, keeping their relative order.
// For the mesh, two VirtualServices with the same host conflict (IST0109): the first in load
// order is used and the other is reported.
#pragma once

#include <memory>

#include "snapshot/snapshot.h"

namespace sy::snapshot {

std::shared_ptr<const Snapshot> compile(std::shared_ptr<const config::ConfigSet> config, const CompileOptions& options);
// Convenience: copies `config` into the snapshot.
std::shared_ptr<const Snapshot> compile(const config::ConfigSet& config, const CompileOptions& options);

}  // namespace sy::snapshot
