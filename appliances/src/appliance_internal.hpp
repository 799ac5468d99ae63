// Definitions the appliance's source files share: the per-Iface runtime, the per-packet state carried in
// net::PacketInfo between hooks, and the ActionSink generated chains act through.
#pragma once

#include "appliance/appliance.hpp"
#include "appliance/classifier/decision_tree.hpp"

namespace appliance {

// The contract promises these line up (config.hpp, rule_packet.hpp); the packet path relies on it.
static_assert(static_cast<int>(Hook::Prerouting) == static_cast<int>(net::HookPoint::Prerouting) &&
              static_cast<int>(Hook::Input) == static_cast<int>(net::HookPoint::Input) &&
              static_cast<int>(Hook::Forward) == static_cast<int>(net::HookPoint::Forward) &&
              static_cast<int>(Hook::Output) == static_cast<int>(net::HookPoint::Output) &&
              static_cast<int>(Hook::Postrouting) == static_cast<int>(net::HookPoint::Postrouting));
static_assert(static_cast<int>(Verdict::Accept) == static_cast<int>(net::Verdict::Accept) &&
              static_cast<int>(Verdict::Drop) == static_cast<int>(net::Verdict::Drop) &&
              static_cast<int>(Verdict::Reject) == static_cast<int>(net::Verdict::Reject));

inline constexpr std::size_t hook_index(Hook h) {
    return static_cast<std::size_t>(h);
}
inline constexpr Hook hook_of(net::HookPoint p) {
    // net::HookPoint and appliance::Hook list the same points in the same order.
    return static_cast<Hook>(static_cast<std::uint8_t>(p));
}

struct Appliance::IfaceRuntime {
    const IfaceConfig* config = nullptr;
    net::Interface* net = nullptr;
    net::Interface* nic = nullptr; // the NIC's interface (itself, or a VLAN's parent)
    std::uint16_t mtu = 0;         // a configured MTU below the NIC's; 0: the NIC's own
    bool tracked = false;
    std::array<ChainList, 5> chains{}; // by Hook (Forward is the Gateway's, not an Iface's)
    // What housekeeping() last saw of the Iface's full ARP cache, ARP queue and transmit queue.
    std::uint64_t arp_evicted_seen = 0, arp_queue_full_seen = 0, tx_queue_full_seen = 0;
};

// What the appliance knows about the datagram going through the hooks. It survives from hook to hook in
// net::PacketInfo: `conntrack` holds the connection's entry, `mark` the rest (bits below).
struct Appliance::PacketState {
    PacketState(net::HookPoint p, net::PacketInfo& i) : point(p), info(i) {}

    net::HookPoint point;
    net::PacketInfo& info;
    std::uint8_t iif = no_iface;
    std::uint8_t oif = no_iface;

    CtState state = CtState::Untracked;
    bool looked_up = false; // conntrack has seen this datagram
    conntrack::Dir dir = conntrack::Dir::Original;
    bool created = false;        // this datagram opened its connection
    bool fragment = false;       // it was tracked as a fragment (the first, or a later one)
    bool later_fragment = false; // no transport header
    bool related = false;        // an ICMP error about the connection
    bool response = false;       // a reset or ICMP error the appliance sent for a rejected datagram
    conntrack::ConntrackTable::Ref ref{};

    // During one hook call only.
    bool nat_failed = false;
    std::uint32_t last_nat_rule = rule_none;

    // mark: bits 0-2 state, 3 looked_up, 4 dir, 5 created, 6 fragment, 7 later_fragment, 8 related,
    // 9 response, 16-31 the low bits of the entry's generation.
    void decode(const conntrack::ConntrackTable* table) {
        const std::uint32_t m = info.mark;
        state = static_cast<CtState>(m & 0x7);
        looked_up = (m >> 3) & 1;
        dir = static_cast<conntrack::Dir>((m >> 4) & 1);
        created = (m >> 5) & 1;
        fragment = (m >> 6) & 1;
        later_fragment = (m >> 7) & 1;
        related = (m >> 8) & 1;
        response = (m >> 9) & 1;
        if (!looked_up) state = CtState::Untracked;
        if (table != nullptr) ref = table->ref_of(info.conntrack, static_cast<std::uint16_t>(m >> 16));
    }
    void encode(conntrack::ConntrackTable* table) {
        std::uint32_t m = static_cast<std::uint32_t>(state) | std::uint32_t{looked_up} << 3 |
                          std::uint32_t{dir == conntrack::Dir::Reply} << 4 | std::uint32_t{created} << 5 |
                          std::uint32_t{fragment} << 6 | std::uint32_t{later_fragment} << 7 |
                          std::uint32_t{related} << 8 | std::uint32_t{response} << 9;
        void* pointer = table != nullptr ? table->pointer_of(ref) : nullptr;
        if (pointer != nullptr) m |= (ref.generation & 0xffffu) << 16;
        info.mark = m;
        info.conntrack = pointer;
    }
};

// The ActionSink of one hook call: side effects of rules act on that call's datagram.
class HookActions final : public ActionSink {
public:
    HookActions(Appliance& appliance, Appliance::PacketState& state) : appliance_(appliance), state_(state) {}

    void log(const RulePacket& packet, std::uint32_t rule, std::span<const LogArg> args) override {
        appliance_.count_hit(rule);
        appliance_.log_action(packet, rule, args);
    }
    void syslog(const RulePacket& packet, std::uint32_t rule, Severity severity,
                std::span<const LogArg> args) override {
        appliance_.count_hit(rule);
        appliance_.syslog_action(packet, rule, severity, args);
    }
    void nat(RulePacket& packet, std::uint32_t rule, NatKind kind, bool has_addr, std::uint32_t addr,
             bool has_port, std::uint16_t port) override {
        appliance_.count_hit(rule);
        state_.last_nat_rule = rule;
        appliance_.nat_action(state_, packet, kind, has_addr, addr, has_port, port);
    }

private:
    Appliance& appliance_;
    Appliance::PacketState& state_;
};

// The header fields of a RulePacket (addresses, TTL, ports, TCP flags, ICMP type and code) from `ip`.
void read_headers(const net::wire::Ipv4View& ip, RulePacket& rp);

// The forward chain's prepared lookups for the burst the stack is working through: entry i belongs to
// frames[i] (by buffer), in the order the stack takes them.
struct Appliance::BurstState {
    static constexpr std::size_t capacity = net::PacketBatch::capacity;
    std::array<RulePacket, capacity> packets{};
    std::array<classifier::PreparedMatch, capacity> prepared{};
    std::array<const net::PacketBuffer*, capacity> frames{};
    std::size_t count = 0;
    std::size_t next = 0; // the first entry no packet has taken yet
};

} // namespace appliance
