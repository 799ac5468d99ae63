// How a virtio device is reached: the PCI transports (modern capabilities, legacy I/O BAR) and virtio-mmio
// (version 2, and version 1 legacy). Device drivers (virtio_net) are written against this interface, so a
// host test can drive them over a fake transport.
#pragma once

#include "virtqueue.hpp"

#include <halite/os/result.hpp>

#include <cstdint>
#include <functional>

namespace os::virtio {

// Device status bits (virtio 1.2, 2.1).
namespace status {
inline constexpr std::uint8_t acknowledge = 1;
inline constexpr std::uint8_t driver = 2;
inline constexpr std::uint8_t driver_ok = 4;
inline constexpr std::uint8_t features_ok = 8;
inline constexpr std::uint8_t needs_reset = 64;
inline constexpr std::uint8_t failed = 128;
} // namespace status

// ISR / InterruptStatus bits (4.1.4.5, 4.2.2).
namespace interrupt_cause {
inline constexpr std::uint32_t queue = 1;
inline constexpr std::uint32_t config = 2;
} // namespace interrupt_cause

class Transport {
public:
    virtual ~Transport() = default;

    // For console lines: "pci 00:03.0 modern", "mmio 0xfeb02e00 legacy".
    virtual const char* description() const = 0;
    // A virtio 1.x device (VERSION_1 rules: 12-byte net header, FEATURES_OK, 64 feature bits).
    virtual bool modern() const = 0;

    virtual void reset() = 0;
    virtual std::uint8_t status() = 0;
    virtual void set_status(std::uint8_t status) = 0;
    virtual std::uint64_t device_features() = 0;
    virtual void set_driver_features(std::uint64_t features) = 0;

    // Interrupts: `handler` runs from the event loop (never in interrupt context) after the device raised
    // one. Set up before the queues: MSI-X vectors are assigned per queue.
    virtual Result<void> setup_interrupts(std::function<void()> handler) = 0;
    // "msix", "intx gsi 11", "gsi 16 level".
    virtual const char* interrupt_mode() const = 0;
    // Reads (and so acknowledges) the cause of an interrupt: interrupt_cause bits. With MSI-X there is no
    // shared status: queue | config.
    virtual std::uint32_t acknowledge_interrupt() = 0;

    // Largest size of queue `index` (0: no such queue). Legacy PCI devices fix the size (queue_size_fixed).
    virtual std::uint16_t queue_max_size(std::uint16_t index) = 0;
    virtual bool queue_size_fixed() const { return false; }
    // How this transport wants the rings of a queue of `size` laid out.
    virtual QueueLayout queue_layout(std::uint16_t size) const { return QueueLayout::modern(size); }
    // Gives the device queue `index` (rings at bus address `base`, laid out as `layout`) and enables it;
    // `interrupts`: whether used buffers on it should raise the interrupt (an MSI-X vector for it).
    virtual Result<void> setup_queue(std::uint16_t index, const QueueLayout& layout, std::uint64_t base,
                                     bool interrupts) = 0;
    virtual void notify(std::uint16_t index) = 0;

    // Device-specific configuration (5.1.4 for a NIC), at byte offsets.
    virtual std::uint8_t config8(std::uint32_t offset) = 0;
    virtual std::uint16_t config16(std::uint32_t offset) = 0;
};

} // namespace os::virtio
