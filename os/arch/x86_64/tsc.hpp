// Calibration of the TSC (the clock) and of the local APIC timer (the wake-up
// alarm) at boot, from the best source the machine offers: CPUID leaf 0x15 or
// 0x16, the hypervisor timing leaf 0x40000010, kvmclock, and otherwise the
// 8254 PIT (always there under QEMU's pc and microvm). A few milliseconds.
#pragma once

#include <cstdint>

namespace os::arch {

struct Calibration {
    std::uint64_t tsc_hz;
    std::uint64_t lapic_timer_hz; // counts per second after the divider
    const char* source;
};

// Needs the local APIC initialised. tsc_hz is 0 if nothing worked.
Calibration calibrate_clocks();

} // namespace os::arch
