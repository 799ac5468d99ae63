// Interrupts. A handler never runs in interrupt context: the interrupt only
// marks its vector pending (and masks a level-triggered line), and the event
// loop calls the handler, then unmasks the line. Handlers therefore may do
// anything a timer callback may do.
//
// Lines are IOAPIC inputs (GSIs): PCI INTx on pc/q35 (os::pci::Device::irq_line()),
// the virtio-mmio IRQs of microvm (os::virtio_mmio::Device::irq). MSI/MSI-X
// vectors come from allocate_msi(); the caller programs the returned message into
// the device's MSI or MSI-X capability.
#pragma once

#include <halite/os/result.hpp>

#include <cstdint>
#include <functional>

namespace os::irq {

enum class Trigger : std::uint8_t { edge, level };
enum class Polarity : std::uint8_t { active_high, active_low };

struct Line {
    std::uint32_t gsi;
    Trigger trigger = Trigger::edge;
    Polarity polarity = Polarity::active_high;
};

using Handler = std::function<void()>;

// A subscription is identified by the CPU vector it was given.
struct Subscription {
    std::uint8_t vector;
};

Result<Subscription> subscribe(Line line, Handler handler);
// ISA IRQs (0-15) go through the firmware's interrupt source overrides (IRQ 0
// is GSI 2 on pc); other numbers are GSIs, edge-triggered, active high.
Result<Subscription> subscribe(std::uint32_t irq, Handler handler);
void unsubscribe(Subscription subscription);

// MSI: the address/data pair a device writes to raise `vector` on this CPU.
struct MsiMessage {
    std::uint64_t address;
    std::uint32_t data;
    std::uint8_t vector;
};
Result<MsiMessage> allocate_msi(Handler handler);
void free_msi(MsiMessage message);

// Interrupts delivered so far on a vector (counted in interrupt context).
std::uint64_t count(std::uint8_t vector);

} // namespace os::irq
