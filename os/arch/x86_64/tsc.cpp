#include "tsc.hpp"

#include "cpu.hpp"
#include "kernel/tsc_scale.hpp"
#include "lapic.hpp"
#include "legacy.hpp"

#include <cstring>

namespace os::arch {

namespace {

// Intel SDM vol. 2A, CPUID leaf 15H: TSC = crystal * EBX / EAX.
std::uint64_t from_leaf_15() {
    if (cpuid(0).eax < 0x15) return 0;
    const auto r = cpuid(0x15);
    if (r.eax == 0 || r.ebx == 0 || r.ecx == 0) return 0;
    return std::uint64_t{r.ecx} * r.ebx / r.eax;
}

// CPUID leaf 16H: base frequency in MHz (nominal; used only if 15H is silent).
std::uint64_t from_leaf_16() {
    if (cpuid(0).eax < 0x16) return 0;
    const auto mhz = cpuid(0x16).eax & 0xffff;
    return std::uint64_t{mhz} * 1'000'000;
}

bool hypervisor_present() {
    return (cpuid(1).ecx & (1u << 31)) != 0;
}

// The hypervisor timing leaf (VMware's convention, also offered by QEMU/KVM):
// EAX = TSC kHz, EBX = APIC bus kHz.
struct HypervisorTiming {
    std::uint64_t tsc_hz;
    std::uint64_t bus_hz;
};
HypervisorTiming from_hypervisor_leaf() {
    if (!hypervisor_present() || cpuid(0x40000000).eax < 0x40000010) return {0, 0};
    const auto r = cpuid(0x40000010);
    return {std::uint64_t{r.eax} * 1000, std::uint64_t{r.ebx} * 1000};
}

bool kvm_signature() {
    if (!hypervisor_present()) return false;
    const auto r = cpuid(0x40000000);
    char sig[12];
    std::memcpy(sig, &r.ebx, 4);
    std::memcpy(sig + 4, &r.ecx, 4);
    std::memcpy(sig + 8, &r.edx, 4);
    return std::memcmp(sig, "KVMKVMKVM\0\0\0", 12) == 0;
}

// kvmclock (Linux Documentation/virt/kvm/x86/msr.rst): the hypervisor fills a
// pvclock structure whose multiplier encodes the TSC frequency.
struct alignas(64) PvclockTimeInfo {
    std::uint32_t version;
    std::uint32_t pad0;
    std::uint64_t tsc_timestamp;
    std::uint64_t system_time;
    std::uint32_t tsc_to_system_mul;
    std::int8_t tsc_shift;
    std::uint8_t flags;
    std::uint8_t pad[2];
};
constinit PvclockTimeInfo pvclock{};

std::uint64_t from_kvmclock() {
    if (!kvm_signature() || (cpuid(0x40000001).eax & (1u << 3)) == 0) return 0; // KVM_FEATURE_CLOCKSOURCE2
    wrmsr(msr::kvm_system_time_new, reinterpret_cast<std::uint64_t>(&pvclock) | 1);
    std::uint32_t mul;
    std::int8_t shift;
    for (;;) {
        const std::uint32_t version = __atomic_load_n(&pvclock.version, __ATOMIC_ACQUIRE);
        mul = pvclock.tsc_to_system_mul;
        shift = pvclock.tsc_shift;
        if ((version & 1) == 0 && __atomic_load_n(&pvclock.version, __ATOMIC_ACQUIRE) == version && mul != 0)
            break;
        pause();
    }
    wrmsr(msr::kvm_system_time_new, 0);
    return os::kernel::pvclock_hz(mul, shift);
}

// Counts the LAPIC timer against the TSC over ~2 ms.
std::uint64_t lapic_against_tsc(std::uint64_t tsc_hz) {
    lapic::start_free_running();
    const std::uint64_t t0 = rdtsc();
    const std::uint32_t c0 = lapic::current_count();
    const std::uint64_t window = tsc_hz / 500;
    std::uint64_t t1;
    do {
        t1 = rdtsc();
    } while (t1 - t0 < window);
    const std::uint32_t c1 = lapic::current_count();
    lapic::disarm();
    return static_cast<std::uint64_t>(static_cast<unsigned __int128>(c0 - c1) * tsc_hz / (t1 - t0));
}

// Both against the PIT over ~5 ms. The PIT counts down from 65536 and
// reloads; elapsed ticks are summed across reloads.
Calibration against_pit() {
    legacy::pit_start();
    lapic::start_free_running();
    constexpr std::uint64_t window = legacy::pit_hz / 200;
    std::uint16_t previous = legacy::pit_read();
    const std::uint64_t t0 = rdtsc();
    const std::uint32_t c0 = lapic::current_count();
    std::uint64_t elapsed = 0;
    std::uint64_t reads = 0;
    while (elapsed < window) {
        const std::uint16_t now = legacy::pit_read();
        elapsed += static_cast<std::uint16_t>(previous - now);
        previous = now;
        if (++reads > 5'000'000 && elapsed == 0) return {0, 0, "none"}; // no PIT
    }
    const std::uint64_t t1 = rdtsc();
    const std::uint32_t c1 = lapic::current_count();
    lapic::disarm();
    const auto scale = [&](std::uint64_t ticks) {
        return static_cast<std::uint64_t>(static_cast<unsigned __int128>(ticks) * legacy::pit_hz / elapsed);
    };
    return {scale(t1 - t0), scale(c0 - c1), "pit"};
}

} // namespace

Calibration calibrate_clocks() {
    Calibration c{0, 0, "none"};
    const auto hv = from_hypervisor_leaf();
    if (const auto hz = from_leaf_15()) {
        c = {hz, 0, "cpuid-15"};
    } else if (hv.tsc_hz != 0) {
        c = {hv.tsc_hz, 0, "cpuid-40000010"};
    } else if (const auto kvm = from_kvmclock()) {
        c = {kvm, 0, "kvmclock"};
    } else if (const auto nominal = from_leaf_16()) {
        c = {nominal, 0, "cpuid-16"};
    } else {
        return against_pit();
    }
    // The APIC timer runs at the bus clock over 16 (the divider).
    c.lapic_timer_hz = hv.bus_hz != 0 ? hv.bus_hz / 16 : lapic_against_tsc(c.tsc_hz);
    return c;
}

} // namespace os::arch
