// virtio over PCI, modern interface (virtio 1.2, 4.1.4): the common, notify, ISR and device configuration
// structures that vendor-specific capabilities locate in memory BARs. Interrupts through MSI-X when the
// function has it (one vector for the receive queue and configuration changes), else INTx.
#pragma once

#include "pci_common.hpp"
#include "transport.hpp"

#include <halite/os/irq.hpp>
#include <halite/os/pci.hpp>

#include <array>
#include <optional>

namespace os::virtio {

class PciModernTransport final : public Transport {
public:
    // Finds the capabilities and maps their BARs; Errc::not_found when the function has no modern interface.
    static Result<PciModernTransport*> create(pci::Device& device);
    ~PciModernTransport() override;

    const char* description() const override { return description_.data(); }
    bool modern() const override { return true; }
    void reset() override;
    std::uint8_t status() override;
    void set_status(std::uint8_t status) override;
    std::uint64_t device_features() override;
    void set_driver_features(std::uint64_t features) override;
    Result<void> setup_interrupts(std::function<void()> handler) override;
    const char* interrupt_mode() const override { return interrupt_mode_.data(); }
    std::uint32_t acknowledge_interrupt() override;
    std::uint16_t queue_max_size(std::uint16_t index) override;
    Result<void> setup_queue(std::uint16_t index, const QueueLayout& layout, std::uint64_t base,
                             bool interrupts) override;
    void notify(std::uint16_t index) override;
    std::uint8_t config8(std::uint32_t offset) override;
    std::uint16_t config16(std::uint32_t offset) override;

private:
    explicit PciModernTransport(pci::Device& device) : device_(device) {}

    pci::Device& device_;
    volatile std::uint8_t* common_ = nullptr;
    volatile std::uint8_t* notify_base_ = nullptr;
    std::uint32_t notify_multiplier_ = 0;
    volatile std::uint8_t* isr_ = nullptr;
    volatile std::uint8_t* device_config_ = nullptr;
    std::array<volatile std::uint8_t*, 8> notify_{}; // per queue, found at setup
    std::optional<irq::MsiMessage> msi_;
    std::optional<IntxHandle> intx_;
    std::array<char, 48> description_{};
    std::array<char, 32> interrupt_mode_{};
};

} // namespace os::virtio
