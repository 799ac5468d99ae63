#include "net/reassembly.hpp"

#include <algorithm>
#include <cstring>

namespace net {

// A reassembly buffer holds, from pool headroom + 60 bytes on, the payload; the first fragment's header
// (options included, at most 60 bytes) is stored right in front of it, so the finished datagram is
// contiguous and still has the pool's headroom for link headers.
std::span<std::byte> Reassembler::payload_area(Slot& s) {
    std::span<std::byte> all = s.buffer->storage();
    const std::size_t start = pool_.headroom() + max_ip_header;
    if (start >= all.size()) return {};
    return all.subspan(start);
}

void Reassembler::release(Slot& s) {
    s.active = false;
    s.buffer.reset();
}

Reassembler::Slot* Reassembler::find_or_create(const wire::Ipv4View& ip, Instant now, Result& result) {
    Slot* free_slot = nullptr;
    Slot* oldest = nullptr;
    // RFC 791 3.2: fragments belong together when source, destination, protocol and identification match.
    for (auto& s : slots_) {
        if (!s.active) {
            if (free_slot == nullptr) free_slot = &s;
            continue;
        }
        if (s.src == ip.src() && s.dst == ip.dst() && s.id == ip.identification() &&
            s.protocol == ip.protocol())
            return &s;
        if (oldest == nullptr || s.started < oldest->started) oldest = &s;
    }
    Slot* s = free_slot;
    if (s == nullptr) {
        // Full: the oldest incomplete datagram is the likeliest to be lost already.
        release(*oldest);
        result.evicted = true;
        s = oldest;
    }
    s->buffer = pool_.allocate();
    if (!s->buffer) return nullptr;
    s->active = true;
    s->src = ip.src();
    s->dst = ip.dst();
    s->id = ip.identification();
    s->protocol = ip.protocol();
    s->header_len = 0;
    s->total_len = 0;
    s->have_last = false;
    s->started = now;
    s->blocks.reset();
    return s;
}

Reassembler::Result Reassembler::add(PacketPtr fragment, Instant now) {
    Result result;
    auto parsed = wire::Ipv4View::parse(fragment->data());
    if (!parsed) {
        result.dropped = DropReason::Truncated;
        return result;
    }
    const wire::Ipv4View ip = *parsed.view;
    const std::size_t offset = ip.fragment_offset();
    const std::span<std::byte> data = ip.payload();
    const std::size_t end = offset + data.size();
    const bool last = !ip.more_fragments();
    // RFC 791 3.2: every fragment but the last carries a multiple of 8 bytes; RFC 791 3.1: the datagram is
    // at most 65535 bytes (larger ones are the "ping of death").
    if ((!last && (data.empty() || data.size() % 8 != 0)) || end + ip.header_len() > 0xffff) {
        result.dropped = DropReason::BadLength;
        return result;
    }
    Slot* s = find_or_create(ip, now, result);
    if (s == nullptr) {
        result.dropped = DropReason::PoolExhausted;
        return result;
    }
    std::span<std::byte> area = payload_area(*s);
    if (end > area.size()) {
        release(*s);
        result.dropped = DropReason::ReassemblyTooBig;
        return result;
    }
    const std::size_t first_block = offset / 8;
    const std::size_t end_block = (end + 7) / 8;
    // The end of the datagram is fixed by the last fragment; fragments that disagree with it are an attack
    // or a bug, and the datagram cannot be trusted.
    bool inconsistent = s->have_last && (end > s->total_len || (last && end != s->total_len));
    if (last && !s->have_last) {
        for (std::size_t b = end_block; b < max_blocks && !inconsistent; ++b)
            inconsistent = s->blocks[b];
    }
    // Overlaps are accepted only when the bytes agree (retransmissions, duplicated frames); different bytes
    // in an overlap are dropped with the whole datagram (the RFC 5722 policy, applied to IPv4).
    for (std::size_t b = first_block; b < end_block && !inconsistent; ++b) {
        if (!s->blocks[b]) continue;
        const std::size_t lo = std::max(offset, b * 8);
        const std::size_t hi = std::min(end, b * 8 + 8);
        inconsistent = std::memcmp(area.data() + lo, data.data() + (lo - offset), hi - lo) != 0;
    }
    if (inconsistent) {
        release(*s);
        result.dropped = DropReason::ReassemblyOverlap;
        return result;
    }
    std::memcpy(area.data() + offset, data.data(), data.size());
    for (std::size_t b = first_block; b < end_block; ++b)
        s->blocks[b] = true;
    if (last) {
        s->have_last = true;
        s->total_len = end;
    }
    if (offset == 0) {
        s->header_len = ip.header_len();
        std::memcpy(area.data() - s->header_len, ip.header().data(), s->header_len);
    }
    fragment.reset();

    if (!s->have_last || s->header_len == 0) return result;
    for (std::size_t b = 0; b < (s->total_len + 7) / 8; ++b) {
        if (!s->blocks[b]) return result;
    }
    result.datagram = finish(*s);
    return result;
}

PacketPtr Reassembler::finish(Slot& s) {
    std::span<std::byte> area = payload_area(s);
    const std::size_t start =
        static_cast<std::size_t>(area.data() - s.buffer->storage().data()) - s.header_len;
    PacketPtr out = std::move(s.buffer);
    s.active = false;
    if (!out->set_window(start, s.header_len + s.total_len)) return PacketPtr{};
    std::span<std::byte> bytes = out->data();
    wire::put16(bytes, 2, static_cast<std::uint16_t>(s.header_len + s.total_len));
    // Keep DF, clear MF and the offset: this is now a whole datagram.
    wire::put16(bytes, 6, wire::get16(bytes, 6) & 0x4000);
    auto view = wire::Ipv4View::wrap(bytes);
    view->fill_checksum();
    return out;
}

std::optional<Instant> Reassembler::next_deadline() const {
    std::optional<Instant> next;
    for (const auto& s : slots_) {
        if (s.active && (!next || s.started + timeout_ < *next)) next = s.started + timeout_;
    }
    return next;
}

std::size_t Reassembler::in_progress() const {
    std::size_t n = 0;
    for (const auto& s : slots_)
        n += s.active ? 1 : 0;
    return n;
}

} // namespace net
