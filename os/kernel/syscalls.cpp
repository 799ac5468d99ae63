// musl's system calls, served in ring 0. halite_syscall_entry (arch) calls
// halite_syscall with the registers of the `syscall` instruction. What an
// appliance needs is implemented; anything else returns -ENOSYS and says so
// on the console once per call number.
#include "kernel.hpp"

#include "arch/x86_64/cpu.hpp"
#include "format.hpp"

#include <halite/os/clock.hpp>
#include <halite/os/system.hpp>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>

namespace os::kernel {

namespace {

struct SyscallArgs {
    std::uint64_t nr, a1, a2, a3, a4, a5, a6;
};

constexpr int arch_set_fs = 0x1002; // <asm/prctl.h>, which musl does not ship
constexpr int arch_get_fs = 0x1003;

bool console_fd(std::uint64_t fd) {
    return fd == 1 || fd == 2;
}

long write_console(const void* data, std::size_t length) {
    console_write(std::string_view(static_cast<const char*>(data), length));
    return static_cast<long>(length);
}

long sys_writev(std::uint64_t fd, const iovec* iov, std::uint64_t count) {
    if (!console_fd(fd)) return -EBADF;
    long total = 0;
    for (std::uint64_t i = 0; i < count; ++i)
        total += write_console(iov[i].iov_base, iov[i].iov_len);
    return total;
}

void to_timespec(std::int64_t ns, timespec* ts) {
    ts->tv_sec = ns / 1'000'000'000;
    ts->tv_nsec = ns % 1'000'000'000;
}

long sys_clock_gettime(std::uint64_t id, timespec* ts) {
    switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE: {
        const auto wall = os::wall_time();
        to_timespec(wall ? wall->time_since_epoch().count() : os::clock::now().time_since_epoch().count(),
                    ts);
        return 0;
    }
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
    case CLOCK_PROCESS_CPUTIME_ID: // one process, always running
    case CLOCK_THREAD_CPUTIME_ID:
        to_timespec(os::clock::now().time_since_epoch().count(), ts);
        return 0;
    default:
        return -EINVAL;
    }
}

// There is nothing else to run, so sleeping is waiting (with interrupts off:
// the system call path runs with IF clear).
long sys_nanosleep(const timespec* request) {
    if (request == nullptr || request->tv_nsec < 0 || request->tv_nsec >= 1'000'000'000) return -EINVAL;
    const auto until =
        os::clock::now() + std::chrono::seconds(request->tv_sec) + std::chrono::nanoseconds(request->tv_nsec);
    while (os::clock::now() < until)
        arch::pause();
    return 0;
}

long sys_getrandom(void* buffer, std::size_t length) {
    // RDRAND only: no entropy is better reported than invented.
    if ((arch::cpuid(1).ecx & (1u << 30)) == 0) return -ENOSYS;
    auto* out = static_cast<unsigned char*>(buffer);
    for (std::size_t i = 0; i < length;) {
        std::uint64_t v;
        unsigned char ok;
        asm volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
        if (!ok) continue;
        const std::size_t n = std::min<std::size_t>(8, length - i);
        std::memcpy(out + i, &v, n);
        i += n;
    }
    return static_cast<long>(length);
}

[[noreturn]] void fatal_signal(std::uint64_t signal) {
    if (signal == SIGABRT) os::panic("abort() called");
    FormatBuffer<64> text;
    text.str("fatal signal ").udec(signal);
    static char message[64];
    const auto v = text.view();
    std::memcpy(message, v.data(), v.size());
    message[v.size()] = '\0';
    os::panic(message);
}

long unimplemented(std::uint64_t nr) {
    static std::uint64_t reported[8]; // one console line per call number (< 512)
    if (nr < 512 && (reported[nr / 64] & (1ull << (nr % 64))) == 0) {
        reported[nr / 64] |= 1ull << (nr % 64);
        FormatBuffer<80> text;
        text.str("halite: system call ").udec(nr).str(" is not implemented (-ENOSYS)\n");
        console_write(text.view());
    }
    return -ENOSYS;
}

} // namespace

} // namespace os::kernel

extern "C" long halite_syscall(const os::kernel::SyscallArgs* a) {
    using namespace os::kernel;
    switch (a->nr) {
    case SYS_read:
        return a->a1 == 0 ? 0 : -EBADF; // stdin is empty
    case SYS_write:
        return console_fd(a->a1) ? write_console(reinterpret_cast<const void*>(a->a2), a->a3) : -EBADF;
    case SYS_writev:
        return sys_writev(a->a1, reinterpret_cast<const iovec*>(a->a2), a->a3);
    case SYS_ioctl:
        // A terminal: musl makes stdout line-buffered only if this succeeds.
        if (a->a1 <= 2 && a->a2 == TIOCGWINSZ) {
            auto* ws = reinterpret_cast<winsize*>(a->a3);
            *ws = winsize{24, 80, 0, 0};
            return 0;
        }
        return -ENOTTY;
    case SYS_close:
        return a->a1 <= 2 ? 0 : -EBADF;
    case SYS_brk:
        return memory::sys_brk(a->a1);
    case SYS_mmap:
        return memory::sys_mmap(a->a1, a->a2, static_cast<int>(a->a3), static_cast<int>(a->a4),
                                static_cast<int>(a->a5), a->a6);
    case SYS_munmap:
        return memory::sys_munmap(a->a1, a->a2);
    case SYS_mprotect:
        return memory::sys_mprotect(a->a1, a->a2, static_cast<int>(a->a3));
    case SYS_mremap:
        return -ENOMEM; // musl's realloc then copies
    case SYS_madvise:
        return 0;
    case SYS_arch_prctl:
        if (a->a1 == arch_set_fs) {
            os::arch::wrmsr(os::arch::msr::fs_base, a->a2);
            return 0;
        }
        if (a->a1 == arch_get_fs) {
            *reinterpret_cast<std::uint64_t*>(a->a2) = os::arch::rdmsr(os::arch::msr::fs_base);
            return 0;
        }
        return -EINVAL;
    case SYS_set_tid_address:
    case SYS_gettid:
    case SYS_getpid:
        return 1;
    case SYS_getppid:
        return 0;
    case SYS_getuid:
    case SYS_geteuid:
    case SYS_getgid:
    case SYS_getegid:
        return 0;
    case SYS_rt_sigprocmask:
    case SYS_rt_sigaction:
        return 0;
    case SYS_tkill:
    case SYS_kill:
        fatal_signal(a->a2);
    case SYS_tgkill:
        fatal_signal(a->a3);
    case SYS_clock_gettime:
        return sys_clock_gettime(a->a1, reinterpret_cast<timespec*>(a->a2));
    case SYS_clock_getres:
        if (a->a2 != 0) *reinterpret_cast<timespec*>(a->a2) = timespec{0, 1};
        return 0;
    case SYS_nanosleep:
        return sys_nanosleep(reinterpret_cast<const timespec*>(a->a1));
    case SYS_clock_nanosleep:
        // Relative sleeps only (flags 0); absolute ones are not used by musl's sleep().
        if (a->a2 != 0) return -EINVAL;
        return sys_nanosleep(reinterpret_cast<const timespec*>(a->a3));
    case SYS_getrandom:
        return sys_getrandom(reinterpret_cast<void*>(a->a1), a->a2);
    case SYS_exit:
    case SYS_exit_group:
        power_off(static_cast<int>(a->a1 & 0xff));
    default:
        return unimplemented(a->nr);
    }
}
