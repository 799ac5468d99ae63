// The local APIC (xAPIC, MMIO; Intel SDM vol. 3A, chapter 11): end of interrupt
// and the one-shot timer that wakes the halted CPU at the next deadline.
#pragma once

#include <cstdint>

namespace os::arch::lapic {

inline constexpr std::uint8_t timer_vector = 0x20;
inline constexpr std::uint8_t spurious_vector = 0xff;

// Maps and enables the local APIC; the timer starts disarmed.
bool init();
bool ready();
std::uint32_t id();
void eoi();

// One-shot timer counts (after the divider) until it fires; 0 disarms.
void arm(std::uint32_t count);
void disarm();
std::uint32_t current_count();
// Starts the counter from its maximum without an interrupt, for calibration.
void start_free_running();

} // namespace os::arch::lapic
