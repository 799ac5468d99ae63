// Legacy PC devices: the 8259 PICs (silenced), the 8254 PIT (a reference
// clock for calibration) and the CMOS RTC (wall time at boot).
#pragma once

#include "kernel/civil_time.hpp"

#include <cstdint>
#include <optional>

namespace os::arch::legacy {

// Moves the 8259 vectors out of the exception range (0xe0-0xef) and masks
// every line: interrupts come through the I/O APIC.
void silence_pic();
inline constexpr std::uint8_t pic_vector_base = 0xe0;

// PIT channel 0 as a free-running down counter at 1.193182 MHz.
inline constexpr std::uint64_t pit_hz = 1'193'182;
void pit_start();
std::uint16_t pit_read();

// The RTC's registers, read consistently (no update in progress); nullopt
// when no RTC answers. `century_register` is the FADT's CENTURY (0: none).
std::optional<os::kernel::RtcRegisters> read_rtc(std::uint8_t century_register);

} // namespace os::arch::legacy
