// What the two virtio-pci transports share: interrupt setup (MSI-X entry 0, or INTx) and constants.
#pragma once

#include <halite/os/irq.hpp>
#include <halite/os/pci.hpp>

#include <cstdint>
#include <functional>

namespace os::virtio {

// virtio 1.2, 4.1.4.3 / 4.1.4.8: "no MSI-X vector" in msix_config and queue_msix_vector.
inline constexpr std::uint16_t pci_no_vector = 0xffff;

// The PCI IDs of virtio network devices (4.1.2.1): transitional 0x1000, modern-only 0x1040 + 1.
inline constexpr std::uint16_t pci_vendor = 0x1af4;
inline constexpr std::uint16_t pci_net_transitional = 0x1000;
inline constexpr std::uint16_t pci_net_modern = 0x1041;

// Allocates a vector and programs MSI-X table entry 0 with it (MSI-X on, INTx off).
Result<irq::MsiMessage> setup_msix(pci::Device& device, const std::function<void()>& handler);
// A handler on a (possibly shared) INTx line.
struct IntxHandle {
    std::uint8_t gsi;
    std::uint16_t slot;
};
// Subscribes `handler` to the function's INTx line and lets the function assert it. PCI INTx lines are
// shared (two NICs may sit on one PIRQ): every handler on the line runs and reads its own device's ISR.
Result<IntxHandle> setup_intx(pci::Device& device, std::function<void()> handler);
void release_intx(IntxHandle handle);

} // namespace os::virtio
