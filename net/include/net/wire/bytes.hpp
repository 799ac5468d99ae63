// Big-endian field access for the wire views. Views check the length once in parse(); these helpers only
// assert it, and never reinterpret packet bytes as structs (no alignment or aliasing assumptions).
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>

namespace net::wire {

inline std::uint8_t get8(std::span<const std::byte> b, std::size_t off) {
    assert(off < b.size());
    return static_cast<std::uint8_t>(b[off]);
}
inline std::uint16_t get16(std::span<const std::byte> b, std::size_t off) {
    assert(off + 2 <= b.size());
    return static_cast<std::uint16_t>((std::uint16_t{get8(b, off)} << 8) | get8(b, off + 1));
}
inline std::uint32_t get32(std::span<const std::byte> b, std::size_t off) {
    assert(off + 4 <= b.size());
    return (std::uint32_t{get16(b, off)} << 16) | get16(b, off + 2);
}
inline void put8(std::span<std::byte> b, std::size_t off, std::uint8_t v) {
    assert(off < b.size());
    b[off] = static_cast<std::byte>(v);
}
inline void put16(std::span<std::byte> b, std::size_t off, std::uint16_t v) {
    put8(b, off, static_cast<std::uint8_t>(v >> 8));
    put8(b, off + 1, static_cast<std::uint8_t>(v));
}
inline void put32(std::span<std::byte> b, std::size_t off, std::uint32_t v) {
    put16(b, off, static_cast<std::uint16_t>(v >> 16));
    put16(b, off + 2, static_cast<std::uint16_t>(v));
}

} // namespace net::wire
