// virtio over PCI, legacy interface (virtio 1.2, 4.1.4.8): the registers in I/O BAR 0 of a legacy or
// transitional device (QEMU: disable-modern=on). Interrupts through MSI-X when available, else INTx.
#pragma once

#include "pci_common.hpp"
#include "transport.hpp"

#include <halite/os/irq.hpp>
#include <halite/os/pci.hpp>

#include <array>
#include <optional>

namespace os::virtio {

class PciLegacyTransport final : public Transport {
public:
    // Errc::not_found when BAR 0 is not an I/O BAR.
    static Result<PciLegacyTransport*> create(pci::Device& device);
    ~PciLegacyTransport() override;

    const char* description() const override { return description_.data(); }
    bool modern() const override { return false; }
    void reset() override;
    std::uint8_t status() override;
    void set_status(std::uint8_t status) override;
    std::uint64_t device_features() override;
    void set_driver_features(std::uint64_t features) override;
    Result<void> setup_interrupts(std::function<void()> handler) override;
    const char* interrupt_mode() const override { return interrupt_mode_.data(); }
    std::uint32_t acknowledge_interrupt() override;
    std::uint16_t queue_max_size(std::uint16_t index) override;
    bool queue_size_fixed() const override { return true; }
    QueueLayout queue_layout(std::uint16_t size) const override;
    Result<void> setup_queue(std::uint16_t index, const QueueLayout& layout, std::uint64_t base,
                             bool interrupts) override;
    void notify(std::uint16_t index) override;
    std::uint8_t config8(std::uint32_t offset) override;
    std::uint16_t config16(std::uint32_t offset) override;

private:
    PciLegacyTransport(pci::Device& device, std::uint16_t port) : device_(device), port_(port) {}
    // Device-specific configuration follows the MSI-X vector registers once MSI-X is on (4.1.4.8).
    std::uint16_t config_port() const { return static_cast<std::uint16_t>(port_ + (msi_ ? 24 : 20)); }

    pci::Device& device_;
    std::uint16_t port_;
    std::optional<irq::MsiMessage> msi_;
    std::optional<IntxHandle> intx_;
    std::array<char, 48> description_{};
    std::array<char, 32> interrupt_mode_{};
};

} // namespace os::virtio
