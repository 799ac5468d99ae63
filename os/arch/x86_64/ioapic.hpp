// The I/O APICs (82093AA datasheet): route GSIs to vectors on this CPU. Each
// I/O APIC serves the GSIs from its base (microvm has two: 0-23, 24-47).
#pragma once

#include <cstdint>

namespace os::arch::ioapic {

// Maps the I/O APIC at `physical` (GSIs from `gsi_base`) and masks every input.
bool add(std::uint64_t physical, std::uint32_t gsi_base);
bool handles(std::uint32_t gsi);

// Routes `gsi` to `vector` on APIC `apic_id`, masked.
void route(std::uint32_t gsi, std::uint8_t vector, bool level, bool active_low, std::uint8_t apic_id);
void mask(std::uint32_t gsi);
void unmask(std::uint32_t gsi);

} // namespace os::arch::ioapic
