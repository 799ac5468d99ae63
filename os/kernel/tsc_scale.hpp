// Converts time-stamp counter ticks to nanoseconds and back without overflow:
// 128-bit products, so an uptime of centuries at any frequency is exact.
#pragma once

#include <cstdint>

namespace os::kernel {

class TscScale {
public:
    constexpr TscScale() = default;
    constexpr explicit TscScale(std::uint64_t hz) : hz_(hz) {}

    constexpr std::uint64_t hz() const noexcept { return hz_; }
    constexpr std::uint64_t to_ns(std::uint64_t ticks) const noexcept {
        if (hz_ == 0) return 0;
        return static_cast<std::uint64_t>(static_cast<unsigned __int128>(ticks) * 1'000'000'000u / hz_);
    }
    constexpr std::uint64_t from_ns(std::uint64_t ns) const noexcept {
        return static_cast<std::uint64_t>(static_cast<unsigned __int128>(ns) * hz_ / 1'000'000'000u);
    }

private:
    std::uint64_t hz_ = 0;
};

} // namespace os::kernel

namespace os::kernel {

// The TSC frequency a pvclock (kvmclock) structure implies: it converts ticks
// to ns as ((ticks << shift, or >> -shift) * mul) >> 32, so one tick is
// mul * 2^shift / 2^32 ns.
constexpr std::uint64_t pvclock_hz(std::uint32_t mul, std::int8_t shift) {
    if (mul == 0) return 0;
    unsigned __int128 hz = (static_cast<unsigned __int128>(1'000'000'000u) << 32) / mul;
    if (shift < 0) {
        hz <<= -shift;
    } else {
        hz >>= shift;
    }
    return static_cast<std::uint64_t>(hz);
}

} // namespace os::kernel
