// Stopping the machine: QEMU's isa-debug-exit when present (the exit code
// survives: QEMU exits with (code << 1) | 1), else ACPI S5 (fixed-hardware PM1
// control on pc/q35, the sleep control register on hardware-reduced ACPI such
// as microvm), else a triple fault (QEMU with -no-reboot exits).
#include "kernel.hpp"

#include "arch/x86_64/cpu.hpp"

#include <halite/os/memory.hpp>

namespace os::kernel {

namespace {

constexpr std::uint16_t debug_exit_port = 0xf4;

// An unclaimed port reads as all ones; isa-debug-exit reads as 0.
bool debug_exit_present() {
    return arch::inl(debug_exit_port) != 0xffffffffu;
}

void wait_a_little() {
    for (int i = 0; i < 1'000'000; ++i)
        arch::pause();
}

void acpi_power_off() {
    const auto& info = acpi_info();
    if (!info.s5_type_a) return;
    const std::uint8_t type_a = *info.s5_type_a;
    if (info.hardware_reduced && info.sleep_control) {
        // ACPI 6.4, 4.8.3.7: SLP_TYPx in bits 2-4, SLP_EN bit 5.
        const auto value = static_cast<std::uint8_t>(((type_a & 0x7) << 2) | (1u << 5));
        const auto& reg = *info.sleep_control;
        if (reg.space == 1) {
            arch::outb(static_cast<std::uint16_t>(reg.address), value);
        } else if (reg.space == 0) {
            if (auto mapped = os::memory::map_mmio(reg.address, 1))
                *static_cast<volatile std::uint8_t*>(*mapped) = value;
        }
        wait_a_little();
        return;
    }
    if (info.pm1a_control == 0) return;
    // Enter ACPI mode if the firmware left it off (SCI_EN is PM1 control bit 0).
    if ((arch::inw(static_cast<std::uint16_t>(info.pm1a_control)) & 1) == 0 && info.smi_command != 0 &&
        info.acpi_enable != 0) {
        arch::outb(info.smi_command, info.acpi_enable);
        for (int i = 0; i < 1'000'000 && (arch::inw(static_cast<std::uint16_t>(info.pm1a_control)) & 1) == 0;
             ++i)
            arch::pause();
    }
    // ACPI 6.4, 4.8.3.2.1: SLP_TYPx in bits 10-12, SLP_EN bit 13.
    arch::outw(static_cast<std::uint16_t>(info.pm1a_control),
               static_cast<std::uint16_t>((type_a << 10) | (1u << 13)));
    if (info.pm1b_control != 0)
        arch::outw(static_cast<std::uint16_t>(info.pm1b_control),
                   static_cast<std::uint16_t>((info.s5_type_b << 10) | (1u << 13)));
    wait_a_little();
}

[[noreturn]] void triple_fault() {
    struct [[gnu::packed]] {
        std::uint16_t limit = 0;
        std::uint64_t base = 0;
    } empty;
    asm volatile("lidt %0; int3" ::"m"(empty));
    for (;;)
        arch::hlt();
}

} // namespace

void power_off(int code) {
    arch::cli();
    if (debug_exit_present()) {
        arch::outl(debug_exit_port, static_cast<std::uint32_t>(code));
        wait_a_little();
    }
    acpi_power_off();
    triple_fault();
}

} // namespace os::kernel
