// Every stack the kernel runs on, each with an unmapped guard page below it so
// an overflow faults instead of corrupting memory. Interrupts and exceptions run
// on their own IST stacks: the CPU does not switch stacks for ring-0 interrupts,
// and musl and C++ code use the 128-byte red zone below %rsp, which an
// interrupt frame pushed onto the current stack would destroy.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace os::arch {

enum class Ist : std::uint8_t {
    none = 0,
    double_fault = 1,
    nmi = 2,
    machine_check = 3,
    exception = 4,
    interrupt = 5,
};

struct StackInfo {
    std::string_view name;
    std::uintptr_t guard;  // the guard page
    std::uintptr_t bottom; // lowest usable byte
    std::uintptr_t top;    // one past the highest byte (initial %rsp)
};

// The main stack (main() and the event loop) and the IST stacks.
std::span<const StackInfo> stacks();
std::uintptr_t ist_top(Ist ist);
// The stack whose guard page holds `address`, if any.
const StackInfo* guard_page_owner(std::uintptr_t address);

} // namespace os::arch
