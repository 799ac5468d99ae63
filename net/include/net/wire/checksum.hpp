// The Internet checksum (RFC 1071) and its incremental update (RFC 1624).
#pragma once

#include "net/ipv4_address.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace net::wire {

// RFC 1071: the 16-bit one's complement sum of `bytes` added to `acc` (a value of at most 0x10000 comes
// back, so accumulators can be added together). Only the last chunk summed into an accumulator may have an
// odd length (it is padded with a zero byte).
std::uint32_t checksum_accumulate(std::uint32_t acc, std::span<const std::byte> bytes);
// Folds the carries and complements: the value to store in a checksum field.
std::uint16_t checksum_finish(std::uint32_t acc);
inline std::uint16_t internet_checksum(std::span<const std::byte> bytes) {
    return checksum_finish(checksum_accumulate(0, bytes));
}
// RFC 768 / RFC 9293 3.1: the pseudo-header of UDP and TCP checksums.
std::uint32_t pseudo_header_sum(Ipv4Address src, Ipv4Address dst, std::uint8_t protocol,
                                std::uint16_t length);

// RFC 1624 3 (eqn. 3): HC' = ~(~HC + ~m + m'), for one 16-bit word changing from m to m'.
std::uint16_t checksum_update16(std::uint16_t checksum, std::uint16_t old_word, std::uint16_t new_word);
// The same for a 32-bit field (an address), as two 16-bit words.
std::uint16_t checksum_update32(std::uint16_t checksum, std::uint32_t old_value, std::uint32_t new_value);

} // namespace net::wire
