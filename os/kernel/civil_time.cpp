#include "civil_time.hpp"

namespace os::kernel {

std::optional<std::int64_t> to_unix_seconds(const CivilTime& t) {
    if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 || t.hour < 0 || t.hour > 23 || t.minute < 0 ||
        t.minute > 59 || t.second < 0 || t.second > 60)
        return std::nullopt;
    // Days from 1970-01-01 in the proleptic Gregorian calendar, counting from
    // March so the leap day is the last day of the shifted year.
    const std::int64_t y = t.year - (t.month <= 2 ? 1 : 0);
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t mp = (t.month + 9) % 12; // March = 0
    const std::int64_t doy = (153 * mp + 2) / 5 + t.day - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const std::int64_t days = era * 146097 + doe - 719468;
    return days * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
}

std::optional<CivilTime> decode_rtc(const RtcRegisters& r) {
    const bool binary = (r.status_b & 0x04) != 0;
    const bool h24 = (r.status_b & 0x02) != 0;
    auto field = [&](std::uint8_t v) { return binary ? int{v} : from_bcd(v); };
    const bool pm = !h24 && (r.hour & 0x80) != 0;
    int hour = field(static_cast<std::uint8_t>(r.hour & 0x7f));
    if (!h24) hour = hour % 12 + (pm ? 12 : 0);
    const int century = r.century != 0 ? field(r.century) : 20;
    CivilTime t{
        century * 100 + field(r.year), field(r.month), field(r.day), hour, field(r.minute), field(r.second)};
    if (!to_unix_seconds(t)) return std::nullopt;
    return t;
}

} // namespace os::kernel
