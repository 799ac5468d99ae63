// From boot.S to main(): the order in which the image kernel comes up.
//
//   halite_boot        console, PVH start info, descriptor tables, memory,
//                      SYSCALL, interrupt controllers, clocks, event loop
//   __libc_start_main  musl: TLS, stdio, global constructors
//   start_application  device discovery, the parsed command line, main(),
//                      then the event loop; its result goes to exit()
#include "kernel.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/descriptors.hpp"
#include "arch/x86_64/ioapic.hpp"
#include "arch/x86_64/lapic.hpp"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/legacy.hpp"
#include "arch/x86_64/trap_frame.hpp"
#include "arch/x86_64/tsc.hpp"
#include "civil_time.hpp"
#include "drivers/serial/uart16550.hpp"
#include "format.hpp"
#include "singleton.hpp"

#include <halite/os/clock.hpp>
#include <halite/os/cmdline.hpp>
#include <halite/os/memory.hpp>
#include <halite/os/system.hpp>

#include <cstdlib>
#include <cstring>
#include <elf.h>
#include <string>
#include <vector>

extern "C" {
[[noreturn]] void halite_boot(std::uint32_t start_info_address);
void halite_interrupt(os::arch::TrapFrame* frame);
void halite_syscall_entry();
int __libc_start_main(int (*main)(int, char**, char**), int argc, char** argv, void (*init)(), void (*fini)(),
                      void (*ldso)());
extern const std::byte __ehdr_start[];
extern std::uint64_t halite_boot_tsc;
}

// The application's main(), whatever its parameter list (the SysV calling
// convention makes int main() and int main(int, char**) both callable so).
int halite_application_main(int argc, char** argv, char** envp) __asm__("main");

namespace os::kernel {

namespace {

constexpr std::size_t max_cmdline = 4096;

// Boot information, copied out of the start info before its memory is reused.
struct BootState {
    char cmdline[max_cmdline];
    MemoryMap memory_map;
    std::uint64_t rsdp = 0;
};
constinit Singleton<BootState> boot;
constinit Singleton<acpi::Info> firmware_tables;
constinit Singleton<Cmdline> command_line;
constinit std::string_view platform_name = "unknown";
constinit bool verbose_boot = false;

// TSC at each boot stage, printed with halite.verbose (where boot time goes).
enum class Stage { kernel, memory, controllers, clocks, libc, discovery, count };
constexpr std::string_view stage_names[] = {"entry -> kernel",   "memory",     "interrupt controllers",
                                            "clock calibration", "libc start", "device discovery"};
constinit std::uint64_t stage_tsc[static_cast<int>(Stage::count)] = {};
void mark(Stage s) {
    stage_tsc[static_cast<int>(s)] = arch::rdtsc();
}

template <class T>
T load(std::uint64_t address) {
    T v;
    std::memcpy(&v, reinterpret_cast<const void*>(address), sizeof v);
    return v;
}

[[noreturn]] void halt_with(std::string_view message) {
    console_write(message);
    power_off(os::panic_exit_code);
}

// struct hvm_start_info (Xen public/arch-x86/hvm/start_info.h), version >= 1.
void read_start_info(std::uint32_t address) {
    if (address == 0 || load<std::uint32_t>(address) != HALITE_PVH_MAGIC)
        halt_with("halite: not started through PVH (bad hvm_start_info magic)\n");
    BootState& b = boot.construct();
    const auto version = load<std::uint32_t>(address + 4);
    const auto cmdline = load<std::uint64_t>(address + 24);
    b.rsdp = load<std::uint64_t>(address + 32);
    if (cmdline != 0) {
        const auto* text = reinterpret_cast<const char*>(cmdline);
        std::size_t n = 0;
        while (n + 1 < max_cmdline && text[n] != '\0')
            ++n;
        std::memcpy(b.cmdline, text, n);
        b.cmdline[n] = '\0';
    }
    if (version < 1) halt_with("halite: hvm_start_info version 0 has no memory map\n");
    const auto memmap = load<std::uint64_t>(address + 40);
    const auto entries = load<std::uint32_t>(address + 48);
    for (std::uint32_t i = 0; i < entries; ++i) {
        const std::uint64_t e = memmap + i * 24; // struct hvm_memmap_table_entry
        b.memory_map.add(MemoryRegion{load<std::uint64_t>(e), load<std::uint64_t>(e + 8),
                                      static_cast<MemoryType>(load<std::uint32_t>(e + 16))});
    }
}

void check_cpu() {
    if ((arch::rdmsr(arch::msr::efer) & (1u << 11)) == 0)
        halt_with("halite: the CPU has no NX bit; W^X needs it\n");
}

void enable_syscall() {
    arch::wrmsr(arch::msr::efer, arch::rdmsr(arch::msr::efer) | 1); // SCE
    // SYSCALL loads CS from STAR[47:32] and SS from it + 8 (our data segment).
    arch::wrmsr(arch::msr::star, (std::uint64_t{HALITE_KERNEL_CS} << 32) | (std::uint64_t{0x10} << 48));
    arch::wrmsr(arch::msr::lstar, reinterpret_cast<std::uint64_t>(&halite_syscall_entry));
    // Clear TF, IF, DF, IOPL, NT and AC on entry.
    arch::wrmsr(arch::msr::fmask, 0x47700);
}

class FirmwareMemory final : public acpi::PhysicalReader {
public:
    std::span<const std::byte> read(std::uint64_t physical, std::size_t length) override {
        if (!memory::map_firmware(physical, length)) return {};
        return {reinterpret_cast<const std::byte*>(physical), length};
    }
};

void init_interrupt_controllers() {
    arch::legacy::silence_pic();
    if (!arch::lapic::init()) halt_with("halite: cannot map the local APIC\n");
    const auto& info = *firmware_tables;
    // Without a MADT, the one I/O APIC every PC has at its standard address.
    if (info.ioapics.empty() && !arch::ioapic::add(0xfec00000, 0))
        halt_with("halite: cannot map the I/O APIC\n");
    for (const auto& chip : info.ioapics) {
        if (!arch::ioapic::add(chip.address, chip.gsi_base)) halt_with("halite: cannot map an I/O APIC\n");
    }
    irq_init();
}

void init_clocks() {
    const auto c = arch::calibrate_clocks();
    if (c.tsc_hz == 0 || c.lapic_timer_hz == 0) halt_with("halite: no way to calibrate the TSC\n");
    clock_init(c.tsc_hz, c.lapic_timer_hz);
    if (const auto rtc = arch::legacy::read_rtc(firmware_tables->century_register)) {
        if (const auto civil = decode_rtc(*rtc)) {
            if (const auto seconds = to_unix_seconds(*civil)) clock_set_wall(*seconds);
        }
    }
    if (verbose_boot) {
        FormatBuffer<160> f;
        f.str("halite: tsc ").udec(c.tsc_hz / 1000).str(" kHz, lapic timer ").udec(c.lapic_timer_hz / 1000);
        f.str(" kHz (").str(c.source).str(")\n");
        console_write(f.view());
    }
}

void log_stages() {
    FormatBuffer<160> f;
    std::uint64_t previous = halite_boot_tsc;
    for (int i = 0; i < static_cast<int>(Stage::count); ++i) {
        const std::uint64_t us = (stage_tsc[i] - previous) * 1'000'000 / os::tsc_hz();
        previous = stage_tsc[i];
        f.clear();
        f.str("halite: boot ").str(stage_names[i]).str(": ").udec(us).str(" us\n");
        console_write(f.view());
    }
}

void log_memory() {
    FormatBuffer<160> f;
    console_write("halite: command line: ");
    console_write(boot->cmdline);
    console_write("\n");
    for (const auto& r : boot->memory_map.regions()) {
        f.clear();
        f.str("halite: memory ")
            .hex(r.base, 9)
            .str("-")
            .hex(r.base + r.size, 9)
            .str(" ")
            .str(to_string(r.type))
            .str("\n");
        console_write(f.view());
    }
    const auto s = os::memory::stats();
    f.clear();
    f.str("halite: ").udec(s.ram_bytes / 1024).str(" KiB RAM managed, ").udec(s.free_bytes / 1024);
    f.str(" KiB free, page tables ").udec(s.page_table_bytes / 1024).str(" KiB\n");
    console_write(f.view());
}

// The initial process stack musl expects, minus the stack: argc/argv/envp
// come as arguments, and auxv follows envp's terminator (System V x86-64 ABI,
// 3.4.1).
struct StartBlock {
    char* argv[2];
    char* envp[1];
    std::uint64_t auxv[12];
};
constinit StartBlock start_block{};
constinit char program_name[] = "halite";
constinit unsigned char random_bytes[16] = {};

void fill_random(unsigned char* out, std::size_t n) {
    // Seeds musl's stack protector and pointer mangling; not for keys.
    std::uint64_t x = arch::rdtsc() ^ 0x9e3779b97f4a7c15ull;
    for (std::size_t i = 0; i < n; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out[i] = static_cast<unsigned char>(x);
    }
}

int start_application(int, char**, char**);

[[noreturn]] void start_libc() {
    std::uint64_t phoff, phentsize, phnum;
    {
        Elf64_Ehdr header;
        std::memcpy(&header, __ehdr_start, sizeof header);
        phoff = header.e_phoff;
        phentsize = header.e_phentsize;
        phnum = header.e_phnum;
    }
    fill_random(random_bytes, sizeof random_bytes);
    start_block.argv[0] = program_name;
    start_block.argv[1] = nullptr;
    start_block.envp[0] = nullptr;
    const std::uint64_t aux[] = {AT_PHDR,   reinterpret_cast<std::uint64_t>(__ehdr_start) + phoff,
                                 AT_PHENT,  phentsize,
                                 AT_PHNUM,  phnum,
                                 AT_PAGESZ, HALITE_PAGE_SIZE,
                                 AT_RANDOM, reinterpret_cast<std::uint64_t>(random_bytes),
                                 AT_NULL,   0};
    std::memcpy(start_block.auxv, aux, sizeof aux);
    __libc_start_main(start_application, 1, start_block.argv, nullptr, nullptr, nullptr);
    halt_with("halite: __libc_start_main returned\n");
}

int start_application(int, char**, char**) {
    mark(Stage::libc);
    // libc works from here: discovery may allocate.
    if (pc_detect()) {
        platform_name = "pc";
        pc_discover();
    } else {
        platform_name = "microvm";
    }
    microvm_discover(); // virtio-mmio transports (DSDT or command line), if any
    mark(Stage::discovery);
    if (verbose_boot) {
        log_memory();
        log_stages();
    }

    // main(argc, argv): the program name, then the command-line tokens.
    static std::vector<std::string> args;
    static std::vector<char*> argv;
    args.emplace_back(program_name);
    for (const auto& a : os::cmdline().args())
        args.push_back(a);
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    clock_mark_main();
    const int result = halite_application_main(static_cast<int>(args.size()), argv.data(), start_block.envp);
    if (result != 0) return result;
    return loop_run();
}

} // namespace

const acpi::Info& acpi_info() {
    return *firmware_tables;
}
bool verbose() {
    return verbose_boot;
}

} // namespace os::kernel

void halite_boot(std::uint32_t start_info_address) {
    using namespace os::kernel;
    mark(Stage::kernel);
    os::drivers::uart16550::init();
    read_start_info(start_info_address);
    verbose_boot = std::string_view(boot->cmdline).find("halite.verbose") != std::string_view::npos;
    check_cpu();
    os::arch::load_gdt();
    os::arch::load_idt();
    memory::init(boot->memory_map); // page 0 unmapped, W^X from here on
    mark(Stage::memory);
    enable_syscall();
    FirmwareMemory firmware;
    firmware_tables.construct(acpi::parse(firmware, boot->rsdp));
    init_interrupt_controllers();
    mark(Stage::controllers);
    init_clocks();
    mark(Stage::clocks);
    loop_init();
    os::arch::sti();
    start_libc();
}

void halite_interrupt(os::arch::TrapFrame* frame) {
    if (frame->vector < 32) os::kernel::exception_panic(*frame);
    os::kernel::irq_on_interrupt(*frame);
}

namespace os {

const Cmdline& cmdline() {
    // Parsed on first use, which may be a global constructor (malloc works once
    // musl has started, before constructors run).
    if (!kernel::command_line.constructed())
        kernel::command_line.construct(Cmdline::parse(kernel::boot->cmdline));
    return *kernel::command_line;
}
std::string_view platform() {
    return kernel::platform_name;
}

void shutdown(int code) {
    std::exit(code);
}

} // namespace os
