// What interrupts.S leaves on the stack for halite_interrupt().
#pragma once

#include <cstdint>

namespace os::arch {

struct TrapFrame {
    std::uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    std::uint64_t vector, error_code;
    // Pushed by the CPU.
    std::uint64_t rip, cs, rflags, rsp, ss;
};

} // namespace os::arch
