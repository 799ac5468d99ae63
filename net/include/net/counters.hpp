// Counters per interface and per drop reason: every packet the stack does not deliver or send is counted
// under exactly one reason.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace net {

enum class DropReason : std::uint8_t {
    Truncated,         // shorter than a header it claims to carry
    BadLength,         // a length field disagrees with the bytes (IPv4 total length, UDP length...)
    BadVersion,        // IPv4 version field is not 4
    BadChecksum,       // IPv4 header, ICMP, UDP or TCP checksum
    UnknownEthertype,  // neither IPv4, ARP nor 802.1Q
    UnknownVlan,       // 802.1Q tag for a VLAN with no sub-interface
    NotForUs,          // unicast frame for another MAC, or datagram for another host while not forwarding
    ArpInvalid,        // not Ethernet/IPv4 ARP, or a sender address that cannot be learned
    Martian,           // source or destination address that must not appear on the wire (RFC 1812 5.3.7)
    NotConfigured,     // the interface has no address yet
    NoRoute,           // no route to the destination
    TtlExceeded,       // TTL ran out while forwarding
    MtuExceeded,       // larger than the outgoing MTU (this stack does not fragment)
    Filtered,          // a filter hook said Drop or Reject
    ArpQueueFull,      // waiting for ARP resolution and the queue of waiting packets is full
    ArpUnresolved,     // ARP resolution gave up
    PoolExhausted,     // no packet buffer to build a reply or reassemble into
    TxQueueFull,       // the NIC did not take the packet
    LinkDown,          // the outgoing link is down
    ReassemblyOverlap, // fragments that overlap with different bytes, or disagree on the end
    ReassemblyTooBig,  // a reassembled datagram would not fit in one packet buffer
    ReassemblyTimeout, // fragments of a datagram that never completed
    ReassemblyEvicted, // fragments evicted to make room for a newer datagram
    UnknownProtocol,   // no handler for the IP protocol
    NoSocket,          // no UDP socket bound to the destination port, or a TCP segment (no TCP endpoints)
    IcmpIgnored,       // an ICMP message this stack does not act on
    NoHeadroom,        // no room in front of the packet for the link header
    Count,
};

inline constexpr std::size_t drop_reason_count = static_cast<std::size_t>(DropReason::Count);
const char* to_string(DropReason r);

using DropCounters = std::array<std::uint64_t, drop_reason_count>;

struct InterfaceCounters {
    std::uint64_t rx_packets = 0;
    std::uint64_t rx_bytes = 0;
    std::uint64_t tx_packets = 0;
    std::uint64_t tx_bytes = 0;
    DropCounters drops{};

    std::uint64_t drop(DropReason r) const { return drops[static_cast<std::size_t>(r)]; }
    std::uint64_t total_drops() const;
};

struct StackCounters {
    DropCounters drops{};
    std::uint64_t delivered = 0; // datagrams handed to ICMP, UDP or a protocol handler
    std::uint64_t forwarded = 0;
    std::uint64_t reassembled = 0;
    std::uint64_t icmp_errors_sent = 0;
    std::uint64_t icmp_rate_limited = 0;
    std::uint64_t tcp_resets_sent = 0; // answers to TCP segments for ports nobody listens on (all of them)
    std::uint64_t echo_replies_sent = 0;
    std::uint64_t arp_requests_sent = 0;
    std::uint64_t arp_replies_sent = 0;

    std::uint64_t drop(DropReason r) const { return drops[static_cast<std::size_t>(r)]; }
    std::uint64_t total_drops() const;
};

} // namespace net
