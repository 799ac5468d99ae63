#include "stacks.hpp"

#include "layout.h"

#include <array>
#include <cstddef>

extern "C" std::byte halite_main_stack[]; // boot.S: guard page + main stack

namespace os::arch {

namespace {

template <std::size_t Size>
struct alignas(HALITE_PAGE_SIZE) GuardedStack {
    std::byte guard[HALITE_PAGE_SIZE];
    alignas(16) std::byte area[Size];
};

// Exceptions format a report and walk the stack; 16 KiB is plenty. Interrupt
// handlers only mark work pending.
[[gnu::section(".bss.stacks")]] GuardedStack<16384> exception_stack;
[[gnu::section(".bss.stacks")]] GuardedStack<16384> double_fault_stack;
[[gnu::section(".bss.stacks")]] GuardedStack<8192> nmi_stack;
[[gnu::section(".bss.stacks")]] GuardedStack<8192> machine_check_stack;
[[gnu::section(".bss.stacks")]] GuardedStack<16384> interrupt_stack;

template <std::size_t Size>
StackInfo info(std::string_view name, GuardedStack<Size>& s) {
    const auto guard = reinterpret_cast<std::uintptr_t>(s.guard);
    return {name, guard, guard + HALITE_PAGE_SIZE, guard + HALITE_PAGE_SIZE + Size};
}

std::array<StackInfo, 6> table() {
    const auto main_guard = reinterpret_cast<std::uintptr_t>(halite_main_stack);
    return {StackInfo{"main", main_guard, main_guard + HALITE_PAGE_SIZE,
                      main_guard + HALITE_PAGE_SIZE + HALITE_MAIN_STACK_SIZE},
            info("exception", exception_stack),
            info("double-fault", double_fault_stack),
            info("nmi", nmi_stack),
            info("machine-check", machine_check_stack),
            info("interrupt", interrupt_stack)};
}

} // namespace

std::span<const StackInfo> stacks() {
    static const std::array<StackInfo, 6> all = table();
    return all;
}

std::uintptr_t ist_top(Ist ist) {
    switch (ist) {
    case Ist::exception:
        return stacks()[1].top;
    case Ist::double_fault:
        return stacks()[2].top;
    case Ist::nmi:
        return stacks()[3].top;
    case Ist::machine_check:
        return stacks()[4].top;
    case Ist::interrupt:
        return stacks()[5].top;
    case Ist::none:
        break;
    }
    return 0;
}

const StackInfo* guard_page_owner(std::uintptr_t address) {
    for (const auto& s : stacks()) {
        if (address >= s.guard && address < s.guard + HALITE_PAGE_SIZE) return &s;
    }
    return nullptr;
}

} // namespace os::arch
