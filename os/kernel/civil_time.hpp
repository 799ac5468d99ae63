// Calendar arithmetic for the RTC: BCD decoding and civil date to Unix time.
#pragma once

#include <cstdint>
#include <optional>

namespace os::kernel {

struct CivilTime {
    int year;  // e.g. 2024
    int month; // 1-12
    int day;   // 1-31
    int hour;  // 0-23
    int minute;
    int second;
};

constexpr int from_bcd(std::uint8_t v) {
    return (v >> 4) * 10 + (v & 0x0f);
}

// Seconds since 1970-01-01 UTC; nullopt for fields out of range.
std::optional<std::int64_t> to_unix_seconds(const CivilTime& t);

// The RTC's raw registers (CMOS 0x00-0x09, status B) to a civil time: BCD or
// binary, 12- or 24-hour, two-digit year (century from `century` if the
// firmware has the register, else 20xx).
struct RtcRegisters {
    std::uint8_t second, minute, hour, day, month, year;
    std::uint8_t century; // 0: none
    std::uint8_t status_b;
};
std::optional<CivilTime> decode_rtc(const RtcRegisters& r);

} // namespace os::kernel
