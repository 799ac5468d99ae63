// Register map: PC16550D datasheet (Texas Instruments), table 2.
#include "uart16550.hpp"

#include "arch/x86_64/cpu.hpp"

#include <cstdint>

namespace os::drivers::uart16550 {

namespace {

constexpr std::uint16_t base = 0x3f8;
constexpr std::uint16_t thr = base + 0; // transmit holding (DLAB 0) / divisor low (DLAB 1)
constexpr std::uint16_t ier = base + 1; // interrupt enable / divisor high
constexpr std::uint16_t fcr = base + 2; // FIFO control
constexpr std::uint16_t lcr = base + 3; // line control
constexpr std::uint16_t mcr = base + 4; // modem control
constexpr std::uint16_t lsr = base + 5; // line status
constexpr std::uint8_t lsr_thr_empty = 1u << 5;

void put(char c) {
    // A real UART drains a byte in ~87 µs at 115200 baud; bound the wait so
    // a missing or stuck UART cannot hang the kernel.
    for (int spins = 0; spins < 100000 && (arch::inb(lsr) & lsr_thr_empty) == 0; ++spins)
        arch::pause();
    arch::outb(thr, static_cast<std::uint8_t>(c));
}

} // namespace

void init() {
    arch::outb(ier, 0x00);
    arch::outb(lcr, 0x80); // DLAB: divisor follows
    arch::outb(thr, 0x01); // 115200 baud
    arch::outb(ier, 0x00);
    arch::outb(lcr, 0x03); // 8 data bits, no parity, 1 stop bit
    arch::outb(fcr, 0xc7); // FIFOs on and cleared
    arch::outb(mcr, 0x03); // DTR, RTS
}

void write(std::string_view text) {
    for (char c : text) {
        if (c == '\n') put('\r');
        put(c);
    }
}

} // namespace os::drivers::uart16550
