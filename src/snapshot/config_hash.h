// A content hash of a ConfigSet (FNV-1a 64 over every field, in load order), so two snapshots
// compiled from identical config carry the same hash regardless of their version counter.
// Pure; config thread.
#pragma once

#include <cstdint>

#include "config/model/config_set.h"

namespace sy::snapshot {

uint64_t hash_config(const config::ConfigSet& config);

}  // namespace sy::snapshot
