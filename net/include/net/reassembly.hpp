// IPv4 reassembly for local delivery (RFC 791 3.2, RFC 815): a few datagrams at a time, each copied into
// one packet buffer, with a timeout. Forwarded fragments never come here.
#pragma once

#include "net/counters.hpp"
#include "net/ipv4_address.hpp"
#include "net/packet_buffer.hpp"
#include "net/time.hpp"
#include "net/wire/ipv4.hpp"

#include <array>
#include <bitset>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

namespace net {

class Reassembler {
public:
    static constexpr std::size_t slots = 8;
    static constexpr std::size_t max_ip_header = 60;
    // The largest payload any pool buffer could hold; the real bound is the pool's buffer size.
    static constexpr std::size_t max_blocks = 65536 / 8;

    explicit Reassembler(PacketPool& pool, Duration timeout = std::chrono::seconds(30))
        : pool_(pool), timeout_(timeout) {}

    struct Result {
        PacketPtr datagram;                // the whole datagram, once complete (fragment fields cleared)
        std::optional<DropReason> dropped; // the fragment was dropped (and its datagram, for overlaps)
        bool evicted = false;              // an older incomplete datagram was evicted to make room
    };
    // Takes a validated fragment (data() starts at its IPv4 header, checksum verified).
    Result add(PacketPtr fragment, Instant now);

    // Expires datagrams whose time is up. For each, calls on_timeout(header_and_first_bytes) when its first
    // fragment had arrived (RFC 1122 3.3.2: only then may "fragment reassembly time exceeded" be sent), with
    // the original header and up to 8 bytes of its data; returns how many datagrams expired.
    template <typename OnTimeout>
    std::size_t expire(Instant now, OnTimeout&& on_timeout);

    std::optional<Instant> next_deadline() const;
    std::size_t in_progress() const;

private:
    struct Slot {
        bool active = false;
        Ipv4Address src;
        Ipv4Address dst;
        std::uint16_t id = 0;
        std::uint8_t protocol = 0;
        std::size_t header_len = 0; // of the first fragment, 0 until it arrives
        std::size_t total_len = 0;  // payload length, known once the last fragment arrives
        bool have_last = false;
        Instant started{};
        PacketPtr buffer;
        std::bitset<max_blocks> blocks; // 8-byte blocks received
    };

    Slot* find_or_create(const wire::Ipv4View& ip, Instant now, Result& result);
    std::span<std::byte> payload_area(Slot& s);
    void release(Slot& s);
    PacketPtr finish(Slot& s);

    PacketPool& pool_;
    Duration timeout_;
    std::array<Slot, slots> slots_{};
};

template <typename OnTimeout>
std::size_t Reassembler::expire(Instant now, OnTimeout&& on_timeout) {
    std::size_t n = 0;
    for (auto& s : slots_) {
        if (!s.active || s.started + timeout_ > now) continue;
        if (s.header_len != 0) {
            std::span<std::byte> area = payload_area(s);
            const std::size_t data = s.total_len != 0 && s.total_len < 8 ? s.total_len : 8;
            // The header sits right before the payload area; see add().
            std::span<std::byte> all = s.buffer->storage();
            const std::size_t start = static_cast<std::size_t>(area.data() - all.data()) - s.header_len;
            on_timeout(all.subspan(start, s.header_len + (s.blocks[0] ? data : 0)));
        }
        release(s);
        ++n;
    }
    return n;
}

} // namespace net
