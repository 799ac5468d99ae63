#include "net/wire/ipv4.hpp"

#include "net/wire/checksum.hpp"

namespace net::wire {

Ipv4View::Parsed Ipv4View::parse(std::span<std::byte> bytes) {
    Parsed r;
    if (bytes.size() < min_header_len) return r;
    const std::uint8_t vihl = get8(bytes, 0);
    if ((vihl >> 4) != 4) {
        r.error = Ipv4ParseError::BadVersion;
        return r;
    }
    const std::size_t hlen = std::size_t{vihl & 0x0fu} * 4;
    if (hlen < min_header_len) {
        r.error = Ipv4ParseError::BadHeaderLen;
        return r;
    }
    if (hlen > bytes.size()) return r;
    const std::size_t total = get16(bytes, 2);
    if (total < hlen || total > bytes.size()) {
        r.error = Ipv4ParseError::BadTotalLen;
        return r;
    }
    r.view = Ipv4View{bytes.first(total)};
    return r;
}

bool Ipv4View::verify_checksum() const {
    return internet_checksum(header()) == 0;
}

void Ipv4View::fill_checksum() {
    put16(bytes_, 10, 0);
    put16(bytes_, 10, internet_checksum(header()));
}

void Ipv4View::decrement_ttl() {
    // TTL shares its 16-bit word with the protocol field (RFC 791 3.1), so update over the whole word.
    const std::uint16_t old_word = get16(bytes_, 8);
    const std::uint16_t new_word = static_cast<std::uint16_t>(old_word - 0x0100);
    put16(bytes_, 8, new_word);
    put16(bytes_, 10, checksum_update16(checksum(), old_word, new_word));
}

void Ipv4View::set_src(Ipv4Address a) {
    const std::uint32_t old = get32(bytes_, 12);
    put32(bytes_, 12, a.value);
    put16(bytes_, 10, checksum_update32(checksum(), old, a.value));
}

void Ipv4View::set_dst(Ipv4Address a) {
    const std::uint32_t old = get32(bytes_, 16);
    put32(bytes_, 16, a.value);
    put16(bytes_, 10, checksum_update32(checksum(), old, a.value));
}

Ipv4Repr Ipv4Repr::parse(const Ipv4View& v) {
    Ipv4Repr r;
    r.src = v.src();
    r.dst = v.dst();
    r.protocol = v.protocol();
    r.ttl = v.ttl();
    r.tos = v.tos();
    r.identification = v.identification();
    r.dont_fragment = v.dont_fragment();
    r.payload_len = static_cast<std::uint16_t>(v.total_length() - v.header_len());
    return r;
}

bool Ipv4Repr::emit(std::span<std::byte> out) const {
    if (out.size() < header_len || payload_len > 0xffff - header_len) return false;
    put8(out, 0, 0x45); // version 4, IHL 5
    put8(out, 1, tos);
    put16(out, 2, static_cast<std::uint16_t>(header_len + payload_len));
    put16(out, 4, identification);
    put16(out, 6, dont_fragment ? 0x4000 : 0);
    put8(out, 8, ttl);
    put8(out, 9, protocol);
    put32(out, 12, src.value);
    put32(out, 16, dst.value);
    put16(out, 10, 0);
    put16(out, 10, internet_checksum(out.first(header_len)));
    return true;
}

} // namespace net::wire
