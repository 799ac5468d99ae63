// virtio over MMIO (virtio 1.2, 4.2): version 2 devices and version 1 (legacy, 4.2.4) ones, which QEMU's
// microvm gives by default (virtio-mmio.force-legacy=true).
#pragma once

#include "transport.hpp"

#include <halite/os/irq.hpp>
#include <halite/os/virtio_mmio.hpp>

#include <array>
#include <optional>

namespace os::virtio {

class MmioTransport final : public Transport {
public:
    explicit MmioTransport(const virtio_mmio::Device& device);
    ~MmioTransport() override;

    const char* description() const override { return description_.data(); }
    bool modern() const override { return device_.version >= 2; }
    void reset() override;
    std::uint8_t status() override;
    void set_status(std::uint8_t status) override;
    std::uint64_t device_features() override;
    void set_driver_features(std::uint64_t features) override;
    Result<void> setup_interrupts(std::function<void()> handler) override;
    const char* interrupt_mode() const override { return interrupt_mode_.data(); }
    std::uint32_t acknowledge_interrupt() override;
    std::uint16_t queue_max_size(std::uint16_t index) override;
    QueueLayout queue_layout(std::uint16_t size) const override;
    Result<void> setup_queue(std::uint16_t index, const QueueLayout& layout, std::uint64_t base,
                             bool interrupts) override;
    void notify(std::uint16_t index) override;
    std::uint8_t config8(std::uint32_t offset) override;
    std::uint16_t config16(std::uint32_t offset) override;

private:
    virtio_mmio::Device device_;
    std::optional<irq::Subscription> subscription_;
    std::array<char, 48> description_{};
    std::array<char, 32> interrupt_mode_{};
};

} // namespace os::virtio
