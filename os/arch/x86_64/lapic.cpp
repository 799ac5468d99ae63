#include "lapic.hpp"

#include "cpu.hpp"

#include <halite/os/memory.hpp>

namespace os::arch::lapic {

namespace {

constexpr std::uint32_t reg_id = 0x20;
constexpr std::uint32_t reg_tpr = 0x80;
constexpr std::uint32_t reg_eoi = 0xb0;
constexpr std::uint32_t reg_svr = 0xf0;
constexpr std::uint32_t reg_lvt_timer = 0x320;
constexpr std::uint32_t reg_lvt_lint0 = 0x350;
constexpr std::uint32_t reg_lvt_error = 0x370;
constexpr std::uint32_t reg_initial_count = 0x380;
constexpr std::uint32_t reg_current_count = 0x390;
constexpr std::uint32_t reg_divide = 0x3e0;
constexpr std::uint32_t lvt_masked = 1u << 16;
constexpr std::uint32_t divide_by_16 = 0x3;

volatile std::uint32_t* registers = nullptr;

std::uint32_t read(std::uint32_t reg) {
    return registers[reg / 4];
}
void write(std::uint32_t reg, std::uint32_t v) {
    registers[reg / 4] = v;
}

} // namespace

bool init() {
    std::uint64_t base = rdmsr(msr::apic_base);
    base |= 1u << 11; // globally enabled
    wrmsr(msr::apic_base, base);
    auto mapped = os::memory::map_mmio(base & ~0xfffull, 4096);
    if (!mapped) return false;
    registers = static_cast<volatile std::uint32_t*>(*mapped);
    write(reg_tpr, 0);
    write(reg_svr, 0x100u | spurious_vector); // software enable
    // LINT0 carries the 8259's ExtINT on pc; the 8259 is masked and unused.
    write(reg_lvt_lint0, lvt_masked);
    write(reg_lvt_error, lvt_masked);
    write(reg_divide, divide_by_16);
    write(reg_lvt_timer, lvt_masked | timer_vector);
    write(reg_initial_count, 0);
    return true;
}

bool ready() {
    return registers != nullptr;
}
std::uint32_t id() {
    return read(reg_id) >> 24;
}
void eoi() {
    write(reg_eoi, 0);
}

void arm(std::uint32_t count) {
    write(reg_lvt_timer, timer_vector); // one-shot, unmasked
    write(reg_initial_count, count);
}

void disarm() {
    write(reg_initial_count, 0);
    write(reg_lvt_timer, lvt_masked | timer_vector);
}

std::uint32_t current_count() {
    return read(reg_current_count);
}

void start_free_running() {
    write(reg_lvt_timer, lvt_masked | timer_vector);
    write(reg_initial_count, 0xffffffffu);
}

} // namespace os::arch::lapic
