#include "upstream/dns_cache.h"

#include <gtest/gtest.h>

namespace sy::upstream {
namespace {

using boost::asio::ip::address;
using boost::asio::ip::make_address;
using Clock = std::chrono::steady_clock;

std::vector<address> addrs(std::initializer_list<const char*> list) {
  std::vector<address> out;
  for (const char* a : list) out.push_back(make_address(a));
  return out;
}

// Scenario: successive answers for one name, as the resolver orders them: the sorted set that
// `resolution: DNS` balances over, and the first address DNS_ROUND_ROBIN connects to.
TEST(DnsCache, AnswersKeepSetAndFirst) {
  struct Step {
    const char* name;
    std::vector<address> answer;
    bool changed;
    std::vector<address> set;
    const char* first;
  } steps[] = {
      {"first answer", addrs({"10.0.0.3", "10.0.0.1"}), true, addrs({"10.0.0.1", "10.0.0.3"}), "10.0.0.3"},
      {"same set rotated: only the first changes", addrs({"10.0.0.1", "10.0.0.3"}), true,
       addrs({"10.0.0.1", "10.0.0.3"}), "10.0.0.1"},
      {"identical answer", addrs({"10.0.0.1", "10.0.0.3"}), false, addrs({"10.0.0.1", "10.0.0.3"}), "10.0.0.1"},
      {"IPv4 preferred over AAAA", addrs({"2001:db8::1", "10.0.0.9", "10.0.0.1"}), true,
       addrs({"10.0.0.1", "10.0.0.9"}), "10.0.0.9"},
      {"duplicates collapse", addrs({"10.0.0.9", "10.0.0.9", "10.0.0.1"}), false, addrs({"10.0.0.1", "10.0.0.9"}),
       "10.0.0.9"},
      {"an empty answer keeps the last good one", {}, false, addrs({"10.0.0.1", "10.0.0.9"}), "10.0.0.9"},
      {"IPv6 only", addrs({"2001:db8::2", "2001:db8::1"}), true, addrs({"2001:db8::1", "2001:db8::2"}),
       "2001:db8::2"},
  };
  DnsCache::Entry entry;
  for (const auto& s : steps) {
    EXPECT_EQ(DnsCache::apply_answer(entry, s.answer, Clock::now()), s.changed) << s.name;
    EXPECT_EQ(entry.addresses, s.set) << s.name;
    ASSERT_TRUE(entry.first.has_value()) << s.name;
    EXPECT_EQ(*entry.first, make_address(s.first)) << s.name;
    EXPECT_EQ(entry.joined.size(), entry.addresses.size()) << s.name;
  }
}

// Scenario: an address keeps the time it first appeared while later answers still carry it.
TEST(DnsCache, JoinedTimesSurviveReanswers) {
  DnsCache::Entry entry;
  const auto t0 = Clock::now();
  DnsCache::apply_answer(entry, addrs({"10.0.0.1"}), t0);
  DnsCache::apply_answer(entry, addrs({"10.0.0.2", "10.0.0.1"}), t0 + std::chrono::seconds(5));
  ASSERT_EQ(entry.addresses, addrs({"10.0.0.1", "10.0.0.2"}));
  EXPECT_EQ(entry.joined[0], t0);
  EXPECT_EQ(entry.joined[1], t0 + std::chrono::seconds(5));
}

}  // namespace
}  // namespace sy::upstream
