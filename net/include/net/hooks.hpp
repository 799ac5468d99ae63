// Filter hook points (the netfilter model): where the firewall's compiled chains run, each deciding with one
// call and a verdict.
#pragma once

#include "net/packet_buffer.hpp"
#include "net/wire/ipv4.hpp"

#include <array>
#include <cstdint>
#include <span>

namespace net {

class Interface;

enum class HookPoint : std::uint8_t {
    Prerouting,  // every valid IPv4 datagram received, before the local/forward decision
    Input,       // datagrams for this host, after reassembly, before ICMP/UDP/protocol handlers
    Forward,     // datagrams routed through this host, after the route lookup
    Output,      // datagrams this host sends, after the route lookup
    Postrouting, // every datagram about to be sent (forwarded or local), just before link resolution
};
inline constexpr std::size_t hook_point_count = 5;

enum class Verdict : std::uint8_t {
    Accept,
    Drop,   // silently, counted as Filtered
    Reject, // counted as Filtered, and an ICMP "administratively prohibited" goes back (RFC 1812 5.2.7.1)
};

// What a classifier sees. Built once per datagram and carried through all its hooks, so a conntrack hook at
// Prerouting can leave its entry in `conntrack` for the chains of later hooks to read for free.
struct PacketInfo {
    HookPoint hook = HookPoint::Prerouting;
    const Interface* in = nullptr;  // null for locally generated datagrams
    const Interface* out = nullptr; // null before the route lookup (Prerouting, Input)
    wire::Ipv4View ip;              // the validated IPv4 header and payload (may be a fragment)
    std::uint8_t protocol = 0;
    bool has_ports = false; // UDP or TCP, first fragment, transport header present
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    bool has_icmp = false; // ICMP, first fragment, ICMP header present
    std::uint8_t icmp_type = 0;
    std::uint8_t icmp_code = 0;
    std::uint8_t tcp_flags = 0;     // when protocol is TCP and has_ports
    std::span<std::byte> transport; // transport bytes in this datagram (empty for non-first fragments)
    PacketBuffer* packet = nullptr;
    void* conntrack = nullptr; // owned by a conntrack module, opaque to the stack
    std::uint32_t mark = 0;    // free for the classifiers

    explicit PacketInfo(wire::Ipv4View v) : ip(v) {}
    // Fills the protocol fields from `ip` (length-checked; a truncated transport header leaves them unset).
    void parse_transport();
};

using HookFunction = Verdict (*)(void* context, PacketInfo& info);

// Called with every batch of frames a NIC delivers, before the stack takes them one by one: a filter may
// look at a whole burst at once (the firewall looks up its large rule tables for all of them together,
// which overlaps their memory accesses). It may read the frames; it must not change or keep them.
using BurstFunction = void (*)(void* context, const Interface& in, std::span<const PacketPtr> frames);

class Hooks {
public:
    void set(HookPoint point, HookFunction fn, void* context) { hooks_[index(point)] = {fn, context}; }
    // An object with `Verdict on_packet(PacketInfo&)`.
    template <typename T>
    void set(HookPoint point, T& filter) {
        set(
            point, [](void* c, PacketInfo& i) { return static_cast<T*>(c)->on_packet(i); }, &filter);
    }
    void clear(HookPoint point) { hooks_[index(point)] = {}; }
    bool active(HookPoint point) const { return hooks_[index(point)].fn != nullptr; }

    void set_burst(BurstFunction fn, void* context) { burst_ = {fn, context}; }
    void run_burst(const Interface& in, std::span<const PacketPtr> frames) const {
        if (burst_.fn != nullptr && !frames.empty()) burst_.fn(burst_.context, in, frames);
    }

    Verdict run(HookPoint point, PacketInfo& info) const {
        const Entry& e = hooks_[index(point)];
        if (e.fn == nullptr) return Verdict::Accept;
        info.hook = point;
        return e.fn(e.context, info);
    }

private:
    struct Entry {
        HookFunction fn = nullptr;
        void* context = nullptr;
    };
    static std::size_t index(HookPoint p) { return static_cast<std::size_t>(p); }
    std::array<Entry, hook_point_count> hooks_{};
    struct BurstEntry {
        BurstFunction fn = nullptr;
        void* context = nullptr;
    } burst_;
};

} // namespace net
