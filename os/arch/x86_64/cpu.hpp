// Thin wrappers over the x86-64 instructions the kernel needs (Intel SDM vol. 2).
#pragma once

#include <cstdint>

namespace os::arch {

inline void outb(std::uint16_t port, std::uint8_t v) {
    asm volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}
inline void outw(std::uint16_t port, std::uint16_t v) {
    asm volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}
inline void outl(std::uint16_t port, std::uint32_t v) {
    asm volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}
inline std::uint8_t inb(std::uint16_t port) {
    std::uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
inline std::uint16_t inw(std::uint16_t port) {
    std::uint16_t v;
    asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
inline std::uint32_t inl(std::uint16_t port) {
    std::uint32_t v;
    asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

inline std::uint64_t rdmsr(std::uint32_t msr) {
    std::uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (std::uint64_t{hi} << 32) | lo;
}
inline void wrmsr(std::uint32_t msr, std::uint64_t v) {
    asm volatile("wrmsr" ::"c"(msr), "a"(static_cast<std::uint32_t>(v)),
                 "d"(static_cast<std::uint32_t>(v >> 32)));
}

struct CpuidResult {
    std::uint32_t eax, ebx, ecx, edx;
};
inline CpuidResult cpuid(std::uint32_t leaf, std::uint32_t subleaf = 0) {
    CpuidResult r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

inline std::uint64_t rdtsc() {
    std::uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (std::uint64_t{hi} << 32) | lo;
}

inline std::uint64_t read_cr0() {
    std::uint64_t v;
    asm volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
inline std::uint64_t read_cr2() {
    std::uint64_t v;
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
inline std::uint64_t read_cr3() {
    std::uint64_t v;
    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
inline std::uint64_t read_cr4() {
    std::uint64_t v;
    asm volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
inline void write_cr3(std::uint64_t v) {
    asm volatile("mov %0, %%cr3" ::"r"(v) : "memory");
}
inline void write_cr4(std::uint64_t v) {
    asm volatile("mov %0, %%cr4" ::"r"(v) : "memory");
}
inline void invlpg(std::uint64_t address) {
    asm volatile("invlpg (%0)" ::"r"(address) : "memory");
}

inline void cli() {
    asm volatile("cli" ::: "memory");
}
inline void sti() {
    asm volatile("sti" ::: "memory");
}
// sti takes effect after the next instruction, so no interrupt can slip in
// between the check that led here and the halt.
inline void sti_hlt() {
    asm volatile("sti; hlt" ::: "memory");
}
inline void hlt() {
    asm volatile("hlt" ::: "memory");
}
inline void pause() {
    asm volatile("pause");
}
inline bool interrupts_enabled() {
    std::uint64_t flags;
    asm volatile("pushfq; pop %0" : "=r"(flags));
    return (flags & (1u << 9)) != 0;
}

// Disables interrupts for a scope and restores the previous state.
class InterruptGuard {
public:
    InterruptGuard() : was_enabled_(interrupts_enabled()) { cli(); }
    ~InterruptGuard() {
        if (was_enabled_) sti();
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    bool was_enabled_;
};

namespace msr {
inline constexpr std::uint32_t apic_base = 0x1b;
inline constexpr std::uint32_t efer = 0xc0000080;
inline constexpr std::uint32_t star = 0xc0000081;
inline constexpr std::uint32_t lstar = 0xc0000082;
inline constexpr std::uint32_t fmask = 0xc0000084;
inline constexpr std::uint32_t fs_base = 0xc0000100;
inline constexpr std::uint32_t gs_base = 0xc0000101;
inline constexpr std::uint32_t kvm_system_time_new = 0x4b564d01;
} // namespace msr

} // namespace os::arch
