// The few ACPI tables the kernel reads (ACPI 6.4): the FADT for power-off and
// the RTC century register, the MADT for the I/O APIC and the ISA interrupt
// overrides, and \_S5 from the DSDT. Pure parsing over a physical-memory
// reader, so it is tested with hand-built tables.
#pragma once

#include "static_vector.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace os::kernel::acpi {

// Reads physical memory for the parser (the kernel maps it; tests fake it).
class PhysicalReader {
public:
    virtual ~PhysicalReader() = default;
    // `length` bytes at `physical`, or an empty span when unreadable.
    virtual std::span<const std::byte> read(std::uint64_t physical, std::size_t length) = 0;
};

// A Generic Address Structure (5.2.3.2).
struct GenericAddress {
    std::uint8_t space; // 0 memory, 1 I/O port
    std::uint8_t bit_width;
    std::uint64_t address;
};

struct InterruptOverride {
    std::uint8_t irq;
    std::uint32_t gsi;
    bool active_low;
    bool level;
};

// A virtio-mmio transport declared in the DSDT (QEMU's microvm with ACPI on):
// Device (VRnn) { _HID "LNRO0005", _CRS { Memory32Fixed, Interrupt } }.
struct VirtioMmioResource {
    std::uint64_t base;
    std::uint32_t size;
    std::uint32_t irq;
    bool level;
    bool active_low;
};

struct Info {
    bool present = false;
    std::uint8_t revision = 0;
    // FADT
    std::uint16_t smi_command = 0;
    std::uint8_t acpi_enable = 0;
    std::uint32_t pm1a_control = 0;
    std::uint32_t pm1b_control = 0;
    std::uint8_t century_register = 0;
    bool hardware_reduced = false;
    std::optional<GenericAddress> sleep_control;
    std::optional<GenericAddress> reset_register;
    std::uint8_t reset_value = 0;
    // \_S5: SLP_TYPa / SLP_TYPb
    std::optional<std::uint8_t> s5_type_a;
    std::uint8_t s5_type_b = 0;
    // MADT
    std::uint64_t lapic_address = 0;
    struct IoApic {
        std::uint64_t address;
        std::uint32_t gsi_base;
    };
    StaticVector<IoApic, 8> ioapics; // microvm has two (GSIs 0-23 and 24-47)
    StaticVector<InterruptOverride, 16> overrides;
    // DSDT
    StaticVector<VirtioMmioResource, 32> virtio_mmio;
};

// Walks RSDP -> RSDT/XSDT -> FADT (-> DSDT), MADT. Tables with bad checksums
// are ignored.
Info parse(PhysicalReader& memory, std::uint64_t rsdp_address);

// The SLP_TYPa/b values of the \_S5 package in AML bytes (a byte scan, not an
// interpreter: the package is constant in every firmware we boot on).
std::optional<std::pair<std::uint8_t, std::uint8_t>> find_s5(std::span<const std::byte> aml);

// The virtio-mmio devices in AML bytes: each "LNRO0005" _HID followed by a
// _CRS buffer with a Memory32Fixed and an Extended Interrupt descriptor
// (ACPI 6.4, 6.4.3.4 and 6.4.3.6). Constant buffers only, no interpreter.
StaticVector<VirtioMmioResource, 32> find_virtio_mmio(std::span<const std::byte> aml);

// The GSI and flags of ISA IRQ `irq` after the overrides (identity otherwise).
InterruptOverride isa_irq(const Info& info, std::uint8_t irq);

} // namespace os::kernel::acpi
