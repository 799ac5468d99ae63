#include "legacy.hpp"

#include "cpu.hpp"

namespace os::arch::legacy {

void silence_pic() {
    // ICW1-ICW4 (8259A datasheet): cascade, vector bases, slave on IRQ 2, 8086 mode.
    outb(0x20, 0x11);
    outb(0xa0, 0x11);
    outb(0x21, pic_vector_base);
    outb(0xa1, pic_vector_base + 8);
    outb(0x21, 0x04);
    outb(0xa1, 0x02);
    outb(0x21, 0x01);
    outb(0xa1, 0x01);
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}

void pit_start() {
    // Channel 0, lobyte/hibyte, mode 2 (rate generator), binary; reload 65536.
    outb(0x43, 0x34);
    outb(0x40, 0x00);
    outb(0x40, 0x00);
}

std::uint16_t pit_read() {
    outb(0x43, 0x00); // latch channel 0
    const std::uint8_t lo = inb(0x40);
    const std::uint8_t hi = inb(0x40);
    return static_cast<std::uint16_t>(lo | (hi << 8));
}

namespace {

std::uint8_t cmos(std::uint8_t reg) {
    outb(0x70, reg); // bit 7 clear: NMI stays enabled
    return inb(0x71);
}

os::kernel::RtcRegisters snapshot(std::uint8_t century_register) {
    return {cmos(0x00),
            cmos(0x02),
            cmos(0x04),
            cmos(0x07),
            cmos(0x08),
            cmos(0x09),
            century_register != 0 ? cmos(century_register) : std::uint8_t{0},
            cmos(0x0b)};
}

bool same(const os::kernel::RtcRegisters& a, const os::kernel::RtcRegisters& b) {
    return a.second == b.second && a.minute == b.minute && a.hour == b.hour && a.day == b.day &&
           a.month == b.month && a.year == b.year && a.century == b.century;
}

} // namespace

std::optional<os::kernel::RtcRegisters> read_rtc(std::uint8_t century_register) {
    if (cmos(0x0b) == 0xff && cmos(0x00) == 0xff) return std::nullopt; // nothing there
    // Read until two snapshots taken outside an update agree (MC146818A: the
    // update-in-progress flag is register A bit 7).
    for (int attempt = 0; attempt < 1000; ++attempt) {
        while (cmos(0x0a) & 0x80)
            pause();
        const auto a = snapshot(century_register);
        while (cmos(0x0a) & 0x80)
            pause();
        const auto b = snapshot(century_register);
        if (same(a, b)) return b;
    }
    return std::nullopt;
}

} // namespace os::arch::legacy
