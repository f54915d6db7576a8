#include "proxy/response_flags.h"

namespace sy::proxy {

std::string format_response_flags(uint32_t flags) {
  static constexpr struct {
    uint32_t flag;
    const char* name;
  } kNames[] = {
      {kNoRoute, "NR"},
      {kNoClusterFound, "NC"},
      {kNoHealthyUpstream, "UH"},
      {kUpstreamConnectionFailure, "UF"},
      {kUpstreamOverflow, "UO"},
      {kUpstreamRetryLimitExceeded, "URX"},
      {kUpstreamRequestTimeout, "UT"},
      {kUpstreamConnectionTermination, "UC"},
      {kUpstreamRemoteReset, "UR"},
      {kLocalReset, "LR"},
      {kDownstreamConnectionTermination, "DC"},
      {kDelayInjected, "DI"},
      {kFaultInjected, "FI"},
      {kUpstreamProtocolError, "UPE"},
      {kDownstreamProtocolError, "DPE"},
      {kStreamIdleTimeout, "SI"},
      {kResourceExhausted, "RE"},
  };
  std::string out;
  for (const auto& n : kNames) {
    if ((flags & n.flag) == 0) continue;
    if (!out.empty()) out += ',';
    out += n.name;
  }
  return out.empty() ? "-" : out;
}

}  // namespace sy::proxy
