// Interrupt dispatch on the image. In interrupt context we only count, mask a
// level-triggered line (it would fire again at once otherwise), mark the vector
// pending, acknowledge the local APIC and wake the loop; handlers run later
// from the event loop, which then unmasks the line.
//
// Vectors: 0x20 LAPIC timer, 0x30 + GSI for I/O APIC lines (GSI < 64),
// 0x70-0xdf MSI, 0xe0-0xef the silenced 8259s, 0xff spurious.
#include "kernel.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/ioapic.hpp"
#include "arch/x86_64/lapic.hpp"
#include "arch/x86_64/legacy.hpp"
#include "arch/x86_64/trap_frame.hpp"
#include "singleton.hpp"

#include <halite/os/irq.hpp>

#include <array>
#include <atomic>

namespace os::kernel {

namespace {

constexpr std::uint8_t gsi_vector_base = 0x30;
constexpr std::uint32_t max_gsi = 64;
constexpr std::uint8_t msi_first = 0x70;
constexpr std::uint8_t msi_last = 0xdf;

struct Subscriber {
    irq::Handler handler;
    std::uint32_t gsi = 0;
    std::uint32_t generation = 0;
    bool used = false;
    bool ioapic = false;
    bool level = false;
};

struct IrqState {
    std::array<Subscriber, 256> subscribers;
    std::array<std::atomic<std::uint64_t>, 4> pending{};
    std::array<std::uint64_t, 256> counts{};
    std::size_t subscriptions = 0;
};

constinit Singleton<IrqState> state;

void set_pending(std::uint8_t vector) {
    state->pending[vector / 64].fetch_or(std::uint64_t{1} << (vector % 64), std::memory_order_relaxed);
}

} // namespace

void irq_init() {
    state.construct();
}

void irq_on_interrupt(arch::TrapFrame& frame) {
    const auto vector = static_cast<std::uint8_t>(frame.vector);
    if (vector == arch::lapic::spurious_vector) return; // no EOI for spurious interrupts
    if (vector >= arch::legacy::pic_vector_base && vector < arch::legacy::pic_vector_base + 16) return;
    ++state->counts[vector];
    if (vector != arch::lapic::timer_vector) {
        const Subscriber& s = state->subscribers[vector];
        if (s.used && s.ioapic && s.level) arch::ioapic::mask(s.gsi);
        set_pending(vector);
    }
    arch::lapic::eoi();
    loop_wake();
}

std::size_t irq_dispatch() {
    std::size_t ran = 0;
    for (unsigned word = 0; word < 4; ++word) {
        std::uint64_t bits = state->pending[word].exchange(0, std::memory_order_acquire);
        while (bits != 0) {
            const auto vector =
                static_cast<std::uint8_t>(word * 64 + static_cast<unsigned>(__builtin_ctzll(bits)));
            bits &= bits - 1;
            Subscriber& s = state->subscribers[vector];
            if (!s.used) continue;
            // The handler may unsubscribe itself: run it from a local.
            const std::uint32_t generation = s.generation;
            irq::Handler handler = std::move(s.handler);
            if (handler) handler();
            ++ran;
            Subscriber& again = state->subscribers[vector];
            if (again.used && again.generation == generation) {
                again.handler = std::move(handler);
                if (again.ioapic && again.level) arch::ioapic::unmask(again.gsi);
            }
        }
    }
    return ran;
}

bool irq_has_subscriptions() {
    return state->subscriptions != 0;
}

} // namespace os::kernel

namespace os::irq {

using os::kernel::state;

namespace {

Subscription claim(std::uint8_t vector, Handler handler, std::uint32_t gsi, bool ioapic, bool level) {
    auto& s = state->subscribers[vector];
    s.handler = std::move(handler);
    s.gsi = gsi;
    s.ioapic = ioapic;
    s.level = level;
    s.used = true;
    ++s.generation;
    ++state->subscriptions;
    return Subscription{vector};
}

} // namespace

Result<Subscription> subscribe(Line line, Handler handler) {
    if (!arch::ioapic::handles(line.gsi) || line.gsi >= kernel::max_gsi)
        return Error{Errc::not_found, "no I/O APIC input for this GSI"};
    const auto vector = static_cast<std::uint8_t>(kernel::gsi_vector_base + line.gsi);
    if (state->subscribers[vector].used) return Error{Errc::busy, "GSI already subscribed"};
    const bool level = line.trigger == Trigger::level;
    const auto sub = claim(vector, std::move(handler), line.gsi, true, level);
    arch::ioapic::route(line.gsi, vector, level, line.polarity == Polarity::active_low,
                        static_cast<std::uint8_t>(arch::lapic::id()));
    arch::ioapic::unmask(line.gsi);
    return sub;
}

Result<Subscription> subscribe(std::uint32_t irq, Handler handler) {
    if (irq < 16) {
        const auto o = kernel::acpi::isa_irq(kernel::acpi_info(), static_cast<std::uint8_t>(irq));
        return subscribe(Line{o.gsi, o.level ? Trigger::level : Trigger::edge,
                              o.active_low ? Polarity::active_low : Polarity::active_high},
                         std::move(handler));
    }
    return subscribe(Line{irq}, std::move(handler));
}

void unsubscribe(Subscription subscription) {
    auto& s = state->subscribers[subscription.vector];
    if (!s.used) return;
    if (s.ioapic) arch::ioapic::mask(s.gsi);
    s.used = false;
    s.handler = nullptr;
    ++s.generation;
    --state->subscriptions;
}

Result<MsiMessage> allocate_msi(Handler handler) {
    for (unsigned v = kernel::msi_first; v <= kernel::msi_last; ++v) {
        if (state->subscribers[v].used) continue;
        const auto vector = static_cast<std::uint8_t>(v);
        claim(vector, std::move(handler), 0, false, false);
        // Intel SDM vol. 3A, 11.11: address 0xfee00000 | destination APIC ID
        // << 12; data = vector, fixed delivery, edge triggered.
        return MsiMessage{0xfee00000ull | (std::uint64_t{arch::lapic::id()} << 12), vector, vector};
    }
    return Error{Errc::busy, "no free MSI vector"};
}

void free_msi(MsiMessage message) {
    unsubscribe(Subscription{message.vector});
}

std::uint64_t count(std::uint8_t vector) {
    return state->counts[vector];
}

} // namespace os::irq
