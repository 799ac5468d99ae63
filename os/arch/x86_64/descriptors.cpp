// Descriptor formats: Intel SDM vol. 3A, 3.4.5 (segment descriptors), 7.7 (64-bit
// TSS), 6.14.1 (64-bit IDT gate descriptors).
#include "descriptors.hpp"

#include "layout.h"
#include "stacks.hpp"

#include <array>
#include <cstddef>

extern "C" char halite_isr_stubs[]; // interrupts.S: 256 stubs, 16 bytes apart

namespace os::arch {

namespace {

struct [[gnu::packed]] Tss {
    std::uint32_t reserved0;
    std::uint64_t rsp[3];
    std::uint64_t reserved1;
    std::uint64_t ist[7];
    std::uint64_t reserved2;
    std::uint16_t reserved3;
    std::uint16_t iomap_base;
};
static_assert(sizeof(Tss) == 104);

struct [[gnu::packed]] TablePointer {
    std::uint16_t limit;
    std::uint64_t base;
};

struct IdtEntry {
    std::uint64_t low;
    std::uint64_t high;
};

constinit Tss tss{};
constinit std::array<std::uint64_t, 5> gdt{};
constinit std::array<IdtEntry, 256> idt{};

constexpr std::uint64_t code64 = 0x00af9a000000ffff; // present, ring 0, execute/read, long mode
constexpr std::uint64_t data = 0x00cf92000000ffff;   // present, ring 0, read/write

// A 16-byte system descriptor for an available 64-bit TSS (type 9).
void tss_descriptor(std::uint64_t base, std::uint32_t limit, std::uint64_t& low, std::uint64_t& high) {
    low = (limit & 0xffffu) | ((base & 0xffffffu) << 16) | (std::uint64_t{0x89} << 40) |
          (std::uint64_t{(limit >> 16) & 0xfu} << 48) | (((base >> 24) & 0xffu) << 56);
    high = base >> 32;
}

IdtEntry interrupt_gate(std::uint64_t handler, Ist ist) {
    const std::uint64_t low = (handler & 0xffffu) | (std::uint64_t{HALITE_KERNEL_CS} << 16) |
                              (std::uint64_t{static_cast<std::uint8_t>(ist)} << 32) |
                              (std::uint64_t{0x8e} << 40) | // present, ring 0, interrupt gate
                              (((handler >> 16) & 0xffffu) << 48);
    return {low, handler >> 32};
}

Ist ist_for(unsigned vector) {
    switch (vector) {
    case 2:
        return Ist::nmi;
    case 8:
        return Ist::double_fault;
    case 18:
        return Ist::machine_check;
    default:
        return vector < 32 ? Ist::exception : Ist::interrupt;
    }
}

} // namespace

void load_gdt() {
    tss.ist[0] = ist_top(Ist::double_fault);
    tss.ist[1] = ist_top(Ist::nmi);
    tss.ist[2] = ist_top(Ist::machine_check);
    tss.ist[3] = ist_top(Ist::exception);
    tss.ist[4] = ist_top(Ist::interrupt);
    tss.iomap_base = sizeof(Tss); // no I/O permission bitmap
    gdt[0] = 0;
    gdt[1] = code64;
    gdt[2] = data;
    tss_descriptor(reinterpret_cast<std::uint64_t>(&tss), sizeof(Tss) - 1, gdt[3], gdt[4]);

    const TablePointer pointer{sizeof(gdt) - 1, reinterpret_cast<std::uint64_t>(gdt.data())};
    asm volatile("lgdt %0\n"
                 "pushq %1\n"
                 "leaq 1f(%%rip), %%rax\n"
                 "pushq %%rax\n"
                 "lretq\n"
                 "1:\n"
                 "movw %w2, %%ax\n"
                 "movw %%ax, %%ds\n"
                 "movw %%ax, %%es\n"
                 "movw %%ax, %%ss\n"
                 "ltr %w3\n"
                 :
                 : "m"(pointer), "i"(HALITE_KERNEL_CS), "r"(HALITE_KERNEL_DS), "r"(HALITE_TSS_SEL)
                 : "rax", "memory");
}

void load_idt() {
    const auto base = reinterpret_cast<std::uint64_t>(halite_isr_stubs);
    for (unsigned v = 0; v < idt.size(); ++v)
        idt[v] = interrupt_gate(base + 16 * v, ist_for(v));
    const TablePointer pointer{sizeof(idt) - 1, reinterpret_cast<std::uint64_t>(idt.data())};
    asm volatile("lidt %0" ::"m"(pointer) : "memory");
}

} // namespace os::arch
