// The ARP cache of one interface (RFC 826, RFC 1122 2.3.2): resolved entries with a lifetime, entries being
// resolved with retries, and a bounded queue of packets waiting for a resolution.
#pragma once

#include "net/ipv4_address.hpp"
#include "net/nic.hpp"
#include "net/packet_buffer.hpp"
#include "net/time.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

namespace net {

struct ArpConfig {
    Duration entry_lifetime = std::chrono::seconds(60);
    Duration retry_interval = std::chrono::seconds(1);
    std::uint8_t max_requests = 3; // RFC 1122 2.3.2.1: flood protection, at most one request a second
};

class ArpCache {
public:
    static constexpr std::size_t capacity = 64;
    // RFC 1122 2.3.2.2: keep at least one packet per unresolved address; this bounds them all together.
    static constexpr std::size_t queue_capacity = 32;
    static constexpr std::size_t queue_per_address = 8;

    explicit ArpCache(ArpConfig config = {}) : config_(config) {}

    // The MAC of a resolved, unexpired entry.
    std::optional<MacAddress> lookup(Ipv4Address ip, Instant now) const;

    // RFC 826 "merge": updates an existing entry (resolving it); creates one only when `create` (the packet
    // was for us). Returns true when the address is now resolved; queued packets are then in take_ready().
    bool learn(Ipv4Address ip, MacAddress mac, Instant now, bool create);

    struct QueueResult {
        bool queued = false;       // false: the queue (or the table) is full and `packet` was left alone
        bool send_request = false; // first packet for this address: send an ARP request now
    };
    // Takes `packet` (an IP datagram for `next_hop`) to wait for resolution.
    QueueResult enqueue(Ipv4Address next_hop, PacketPtr& packet, Instant now);

    // Moves out the next queued packet whose address is resolved, with its MAC; null when none.
    struct Ready {
        PacketPtr packet;
        MacAddress mac;
    };
    std::optional<Ready> take_ready(Instant now);

    // Runs due retries: calls send_request(ip) for an address to ask again, and drop(PacketPtr) for each
    // packet whose address is given up (after max_requests).
    template <typename SendRequest, typename Drop>
    void poll(Instant now, SendRequest&& send_request, Drop&& drop);

    // The next retry deadline, if any address is being resolved.
    std::optional<Instant> next_deadline() const;

    // Forgets everything (link down, address change); queued packets go to drop(PacketPtr).
    template <typename Drop>
    void clear(Drop&& drop);

    std::size_t queued() const;
    // Resolved, unexpired entries thrown out to make room for a new address (the table was full).
    std::uint64_t evicted() const { return evicted_; }

private:
    enum class State : std::uint8_t { Free, Incomplete, Resolved };
    struct Entry {
        Ipv4Address ip;
        MacAddress mac;
        State state = State::Free;
        std::uint8_t requests = 0;
        Instant deadline{}; // Resolved: expiry; Incomplete: next retry
    };
    struct Waiting {
        PacketPtr packet;
        Ipv4Address next_hop;
    };

    Entry* find(Ipv4Address ip);
    const Entry* find(Ipv4Address ip) const;
    Entry* allocate(Instant now);
    template <typename Drop>
    void drop_waiting_for(Ipv4Address ip, Drop&& drop) {
        for (auto& w : queue_) {
            if (w.packet && w.next_hop == ip) drop(std::move(w.packet));
        }
    }

    ArpConfig config_;
    std::array<Entry, capacity> entries_{};
    std::uint64_t evicted_ = 0;
    std::array<Waiting, queue_capacity> queue_{};
};

template <typename SendRequest, typename Drop>
void ArpCache::poll(Instant now, SendRequest&& send_request, Drop&& drop) {
    for (auto& e : entries_) {
        if (e.state != State::Incomplete || e.deadline > now) continue;
        if (e.requests >= config_.max_requests) {
            drop_waiting_for(e.ip, drop);
            e.state = State::Free;
            continue;
        }
        ++e.requests;
        e.deadline = now + config_.retry_interval;
        send_request(e.ip);
    }
}

template <typename Drop>
void ArpCache::clear(Drop&& drop) {
    for (auto& w : queue_) {
        if (w.packet) drop(std::move(w.packet));
    }
    for (auto& e : entries_)
        e.state = State::Free;
}

} // namespace net
