// The event loop's platform on the image: interrupts wake it, the one-shot
// LAPIC timer is armed for the next deadline only while halted (tickless:
// nothing fires when idle with no timers).
#include "kernel.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/lapic.hpp"
#include "event_loop.hpp"
#include "singleton.hpp"

#include <atomic>

namespace os::kernel {

namespace {

class HaltPlatform final : public events::Loop::Platform {
public:
    os::clock::time_point now() override { return os::clock::now(); }
    std::size_t dispatch() override { return irq_dispatch(); }
    void wait(std::optional<os::clock::time_point> deadline) override;
    void wake() noexcept override { woken_.store(true, std::memory_order_release); }
    bool has_event_sources() override { return irq_has_subscriptions(); }

private:
    std::atomic<bool> woken_{false};
};

void HaltPlatform::wait(std::optional<os::clock::time_point> deadline) {
    arch::cli();
    // An interrupt between the loop's last check and here set `woken_`.
    if (woken_.exchange(false, std::memory_order_acq_rel)) {
        arch::sti();
        return;
    }
    if (deadline) {
        const auto left = (*deadline - os::clock::now()).count();
        if (left <= 0) {
            arch::sti();
            return;
        }
        // Round up: waking a little late is harmless, early costs a loop turn.
        const auto ticks =
            (static_cast<unsigned __int128>(left) * lapic_timer_hz() + 999'999'999) / 1'000'000'000;
        arch::lapic::arm(ticks > 0xffffffffu ? 0xffffffffu
                                             : static_cast<std::uint32_t>(ticks == 0 ? 1 : ticks));
    }
    arch::sti_hlt();
    arch::cli();
    arch::lapic::disarm();
    woken_.store(false, std::memory_order_relaxed);
    arch::sti();
}

constinit Singleton<HaltPlatform> platform;
constinit Singleton<events::Loop> loop;

} // namespace

void loop_init() {
    loop.construct(platform.construct());
    events::Loop::set_current(loop.get());
}

void loop_wake() noexcept {
    if (platform.constructed()) platform->wake();
}

int loop_run() {
    return loop->run();
}

} // namespace os::kernel
