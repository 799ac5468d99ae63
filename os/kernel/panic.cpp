// Panic reports. Written with the kernel's own formatter straight to the UART:
// the failure may be inside libc or before it is initialised. Backtraces
// follow frame pointers (everything is built with -fno-omit-frame-pointer;
// musl is not, so a trace through musl may stop early) and are symbolised
// with the function table linked into the image.
#include "kernel.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/stacks.hpp"
#include "arch/x86_64/trap_frame.hpp"
#include "format.hpp"
#include "symbols.hpp"

#include <halite/os/system.hpp>

#include <cstring>

extern "C" const std::byte __halite_symtab_start[], __halite_symtab_end[];

namespace os::kernel {

namespace {

constinit bool panicking = false;

const char* exception_name(std::uint64_t vector) {
    static constexpr const char* names[32] = {"divide error (#DE)",
                                              "debug (#DB)",
                                              "non-maskable interrupt (NMI)",
                                              "breakpoint (#BP)",
                                              "overflow (#OF)",
                                              "bound range exceeded (#BR)",
                                              "invalid opcode (#UD)",
                                              "device not available (#NM)",
                                              "double fault (#DF)",
                                              "coprocessor segment overrun",
                                              "invalid TSS (#TS)",
                                              "segment not present (#NP)",
                                              "stack-segment fault (#SS)",
                                              "general protection fault (#GP)",
                                              "page fault (#PF)",
                                              "reserved (15)",
                                              "x87 floating-point error (#MF)",
                                              "alignment check (#AC)",
                                              "machine check (#MC)",
                                              "SIMD floating-point exception (#XM)",
                                              "virtualization exception (#VE)",
                                              "control protection (#CP)",
                                              "reserved (22)",
                                              "reserved (23)",
                                              "reserved (24)",
                                              "reserved (25)",
                                              "reserved (26)",
                                              "reserved (27)",
                                              "hypervisor injection (#HV)",
                                              "VMM communication (#VC)",
                                              "security exception (#SX)",
                                              "reserved (31)"};
    return vector < 32 ? names[vector] : "interrupt";
}

std::optional<SymbolTable> symbols() {
    return SymbolTable::parse(std::span<const std::byte>(
        __halite_symtab_start, static_cast<std::size_t>(__halite_symtab_end - __halite_symtab_start)));
}

// "0x00000000001012a4 <crash()+0x14>"
void address(Formatter& f, std::uint64_t a, const std::optional<SymbolTable>& table) {
    f.hex(a, 16);
    if (!table) return;
    if (const auto s = table->lookup(a)) {
        f.str(" <").str(s->name).str("+").hex(a - s->address).str(">");
    }
}

void line(Formatter& f) {
    f.chr('\n');
    console_write(f.view());
    f.clear();
}

void registers(Formatter& f, const arch::TrapFrame& t) {
    const struct {
        const char* name;
        std::uint64_t value;
    } regs[] = {{"rax", t.rax}, {"rbx", t.rbx}, {"rcx", t.rcx}, {"rdx", t.rdx},
                {"rsi", t.rsi}, {"rdi", t.rdi}, {"rbp", t.rbp}, {"rsp", t.rsp},
                {"r8 ", t.r8},  {"r9 ", t.r9},  {"r10", t.r10}, {"r11", t.r11},
                {"r12", t.r12}, {"r13", t.r13}, {"r14", t.r14}, {"r15", t.r15}};
    for (std::size_t i = 0; i < std::size(regs); ++i) {
        f.str("  ").str(regs[i].name).str(" ").hex(regs[i].value, 16);
        if (i % 3 == 2) line(f);
    }
    line(f);
    f.str("  rflags ").hex(t.rflags, 8).str("  cs ").hex(t.cs, 2).str("  ss ").hex(t.ss, 2);
    line(f);
    f.str("  cr0 ")
        .hex(arch::read_cr0(), 8)
        .str("  cr3 ")
        .hex(arch::read_cr3(), 8)
        .str("  cr4 ")
        .hex(arch::read_cr4(), 8);
    line(f);
}

// `rsp`: for a fault, the interrupted stack pointer. When the faulting address
// is in no function (a call through a bad pointer), the return address the
// call pushed is on top of the stack and is the only trace of the caller.
void backtrace(Formatter& f, std::uint64_t rip, std::uint64_t rbp, std::uint64_t rsp,
               const std::optional<SymbolTable>& table) {
    f.str("backtrace:");
    line(f);
    f.str("  #0  ");
    address(f, rip, table);
    line(f);
    int depth = 1;
    if (rsp != 0 && table && !table->lookup(rip) && memory::readable(rsp, 8)) {
        std::uint64_t top;
        std::memcpy(&top, reinterpret_cast<const void*>(rsp), sizeof top);
        if (table->lookup(top - 1)) {
            f.str("  #1  ");
            address(f, top - 1, table);
            f.str(" (return address on top of the stack)");
            line(f);
            depth = 2;
        }
    }
    for (; depth < 32 && rbp != 0; ++depth) {
        // Each frame: [rbp] = caller's rbp, [rbp + 8] = return address.
        if ((rbp & 7) != 0 || !memory::readable(rbp, 16)) break;
        std::uint64_t frame[2];
        std::memcpy(frame, reinterpret_cast<const void*>(rbp), sizeof frame);
        if (frame[1] == 0) break;
        f.str("  #").udec(static_cast<std::uint64_t>(depth)).str(depth < 10 ? "  " : " ");
        address(f, frame[1] - 1, table); // inside the call instruction, not after it
        line(f);
        if (frame[0] <= rbp) break; // stacks grow down: callers' frames are higher
        rbp = frame[0];
    }
}

void page_fault_details(Formatter& f, const arch::TrapFrame& t, std::uint64_t cr2) {
    f.str("  cr2 ").hex(cr2, 16).str(" (");
    f.str((t.error_code & 1) ? "protection violation" : "page not present");
    f.str((t.error_code & 2) ? ", write" : ", read");
    if (t.error_code & 16) f.str(", instruction fetch");
    f.str(")");
    line(f);
    if (cr2 < 4096) {
        f.str("  null pointer dereference");
        line(f);
    } else if (const auto* s = arch::guard_page_owner(cr2)) {
        f.str("  stack overflow: guard page of the ").str(s->name).str(" stack");
        line(f);
    } else if (t.error_code & 1 && t.error_code & 2) {
        f.str("  write to read-only memory (code or constants?)");
        line(f);
    }
}

[[noreturn]] void finish() {
    FormatBuffer<64> f;
    f.str("halite: panic, stopping with exit code ").udec(os::panic_exit_code);
    line(f);
    power_off(os::panic_exit_code);
}

bool enter() {
    arch::cli();
    if (panicking) {
        console_write("\nhalite: panic while reporting a panic\n");
        power_off(os::panic_exit_code);
    }
    panicking = true;
    return true;
}

} // namespace

void exception_panic(const arch::TrapFrame& t) {
    const std::uint64_t cr2 = arch::read_cr2();
    enter();
    const auto table = symbols();
    FormatBuffer<256> f;
    line(f);
    f.str("*** PANIC: CPU exception ").udec(t.vector).str(": ").str(exception_name(t.vector));
    line(f);
    f.str("  error code ").hex(t.error_code, 4);
    line(f);
    f.str("  rip ");
    address(f, t.rip, table);
    line(f);
    if (t.vector == 14) page_fault_details(f, t, cr2);
    registers(f, t);
    backtrace(f, t.rip, t.rbp, t.rsp, table);
    finish();
}

} // namespace os::kernel

namespace os {

void panic(const char* message) {
    kernel::enter();
    const auto table = kernel::symbols();
    kernel::FormatBuffer<256> f;
    kernel::line(f);
    f.str("*** PANIC: ").str(message);
    kernel::line(f);
    // This frame: [0] = the caller's frame pointer, [1] = the return address.
    const auto* frame = static_cast<const std::uint64_t*>(__builtin_frame_address(0));
    kernel::backtrace(f, frame[1] - 1, frame[0], 0, table);
    kernel::finish();
}

} // namespace os
