#include "net/wire/checksum.hpp"

#include "net/wire/bytes.hpp"

namespace net::wire {

std::uint32_t checksum_accumulate(std::uint32_t acc, std::span<const std::byte> bytes) {
    std::size_t i = 0;
    const std::size_t n = bytes.size();
    // RFC 1071 4.1: add 16-bit words; fold early so the 32-bit accumulator cannot overflow.
    for (; i + 1 < n; i += 2) {
        acc += get16(bytes, i);
        if (acc & 0x80000000u) acc = (acc & 0xffff) + (acc >> 16);
    }
    // An odd trailing byte is the high byte of a word padded with zero.
    if (i < n) acc += std::uint32_t{get8(bytes, i)} << 8;
    return acc;
}

std::uint16_t checksum_finish(std::uint32_t acc) {
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return static_cast<std::uint16_t>(~acc & 0xffff);
}

std::uint32_t pseudo_header_sum(Ipv4Address src, Ipv4Address dst, std::uint8_t protocol,
                                std::uint16_t length) {
    std::uint32_t acc = 0;
    acc += src.value >> 16;
    acc += src.value & 0xffff;
    acc += dst.value >> 16;
    acc += dst.value & 0xffff;
    acc += protocol;
    acc += length;
    return acc;
}

std::uint16_t checksum_update16(std::uint16_t checksum, std::uint16_t old_word, std::uint16_t new_word) {
    // RFC 1624 3: HC' = ~(~HC + ~m + m'). Unlike eqn. 2 this never produces 0xffff-vs-0 mistakes.
    std::uint32_t acc = static_cast<std::uint16_t>(~checksum);
    acc += static_cast<std::uint16_t>(~old_word);
    acc += new_word;
    return checksum_finish(acc);
}

std::uint16_t checksum_update32(std::uint16_t checksum, std::uint32_t old_value, std::uint32_t new_value) {
    checksum = checksum_update16(checksum, static_cast<std::uint16_t>(old_value >> 16),
                                 static_cast<std::uint16_t>(new_value >> 16));
    return checksum_update16(checksum, static_cast<std::uint16_t>(old_value),
                             static_cast<std::uint16_t>(new_value));
}

} // namespace net::wire
