// Interfaces between the parts of the image kernel (not for applications).
#pragma once

#include "acpi.hpp"
#include "memory_map.hpp"

#include <cstdint>
#include <string_view>

namespace os::arch {
struct TrapFrame;
}

namespace os::kernel {

// Console: the UART, unbuffered (stdio's buffers are not touched).
void console_write(std::string_view text);
bool verbose();

// Memory (memory.cpp).
namespace memory {
void init(const MemoryMap& map);
// Read-only, cacheable mapping of firmware tables; false if impossible.
bool map_firmware(std::uint64_t physical, std::size_t bytes);
// Whether [address, address + bytes) is mapped, so the panic path can walk
// frame pointers without faulting again.
bool readable(std::uint64_t address, std::size_t bytes);
const MemoryMap& map();
long sys_brk(std::uint64_t address);
long sys_mmap(std::uint64_t address, std::uint64_t length, int prot, int flags, int fd, std::uint64_t offset);
long sys_munmap(std::uint64_t address, std::uint64_t length);
long sys_mprotect(std::uint64_t address, std::uint64_t length, int prot);
} // namespace memory

// Firmware tables, parsed at boot.
const acpi::Info& acpi_info();

// Clock (clock.cpp).
void clock_init(std::uint64_t tsc_hz, std::uint64_t lapic_timer_hz);
void clock_set_wall(std::int64_t unix_seconds);
void clock_mark_main();
std::uint64_t lapic_timer_hz();

// Interrupts (irq.cpp).
void irq_init();
std::size_t irq_dispatch();
bool irq_has_subscriptions();
void irq_on_interrupt(arch::TrapFrame& frame);

// The event loop's platform (halt.cpp).
void loop_init();
void loop_wake() noexcept;
int loop_run();

// Devices (platform/pc, platform/microvm).
bool pc_detect();
void pc_discover();
void microvm_discover();

// Power (power.cpp).
[[noreturn]] void power_off(int code);

// Panic (panic.cpp).
[[noreturn]] void exception_panic(const arch::TrapFrame& frame);

} // namespace os::kernel
