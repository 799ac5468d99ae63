#include "net/wire/checksum.hpp"

#include "net/wire/bytes.hpp"

namespace net::wire {

std::uint32_t checksum_accumulate(std::uint32_t acc, std::span<const std::byte> bytes) {
    // RFC 1071 2(C): defer the carries. Pairs of 16-bit words summed as 32-bit values into 64 bits cannot
    // overflow (2^32 words), and folding the carries back in at the end gives the same one's complement sum
    // as adding word by word, since 2^16 and 2^32 are both 1 modulo 0xffff. A word-by-word loop with a
    // fold test per word cost the forwarding path's header check about twice as much.
    std::uint64_t sum = acc;
    std::size_t i = 0;
    const std::size_t n = bytes.size();
    for (; i + 4 <= n; i += 4)
        sum += get32(bytes, i);
    if (i + 2 <= n) {
        sum += get16(bytes, i);
        i += 2;
    }
    // An odd trailing byte is the high byte of a word padded with zero.
    if (i < n) sum += std::uint32_t{get8(bytes, i)} << 8;
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint32_t>(sum);
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
