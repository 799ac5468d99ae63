#include "ioapic.hpp"

#include <halite/os/memory.hpp>

#include <array>

namespace os::arch::ioapic {

namespace {

struct Chip {
    volatile std::uint32_t* registers;
    std::uint32_t gsi_base;
    std::uint32_t count;
};
constinit std::array<Chip, 8> chips{};
constinit std::size_t chip_count = 0;

constexpr std::uint32_t reg_version = 0x01;
constexpr std::uint32_t redirection(std::uint32_t pin) {
    return 0x10 + 2 * pin;
}
constexpr std::uint32_t masked = 1u << 16;

std::uint32_t read(const Chip& c, std::uint32_t reg) {
    c.registers[0] = reg;  // IOREGSEL
    return c.registers[4]; // IOWIN at +0x10
}
void write(const Chip& c, std::uint32_t reg, std::uint32_t v) {
    c.registers[0] = reg;
    c.registers[4] = v;
}

const Chip* chip_for(std::uint32_t gsi) {
    for (std::size_t i = 0; i < chip_count; ++i) {
        if (gsi >= chips[i].gsi_base && gsi - chips[i].gsi_base < chips[i].count) return &chips[i];
    }
    return nullptr;
}

} // namespace

bool add(std::uint64_t physical, std::uint32_t gsi_base) {
    if (chip_count == chips.size()) return false;
    auto mapped = os::memory::map_mmio(physical, 4096);
    if (!mapped) return false;
    Chip c{static_cast<volatile std::uint32_t*>(*mapped), gsi_base, 0};
    c.count = ((read(c, reg_version) >> 16) & 0xff) + 1;
    for (std::uint32_t pin = 0; pin < c.count; ++pin) {
        write(c, redirection(pin), masked);
        write(c, redirection(pin) + 1, 0);
    }
    chips[chip_count++] = c;
    return true;
}

bool handles(std::uint32_t gsi) {
    return chip_for(gsi) != nullptr;
}

void route(std::uint32_t gsi, std::uint8_t vector, bool level, bool active_low, std::uint8_t apic_id) {
    const Chip* c = chip_for(gsi);
    if (c == nullptr) return;
    const std::uint32_t pin = gsi - c->gsi_base;
    std::uint32_t low = vector | masked; // fixed delivery, physical destination
    if (active_low) low |= 1u << 13;
    if (level) low |= 1u << 15;
    write(*c, redirection(pin) + 1, std::uint32_t{apic_id} << 24);
    write(*c, redirection(pin), low);
}

void mask(std::uint32_t gsi) {
    if (const Chip* c = chip_for(gsi)) {
        const std::uint32_t reg = redirection(gsi - c->gsi_base);
        write(*c, reg, read(*c, reg) | masked);
    }
}

void unmask(std::uint32_t gsi) {
    if (const Chip* c = chip_for(gsi)) {
        const std::uint32_t reg = redirection(gsi - c->gsi_base);
        write(*c, reg, read(*c, reg) & ~masked);
    }
}

} // namespace os::arch::ioapic
