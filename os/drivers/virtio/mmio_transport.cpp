#include "mmio_transport.hpp"

#include <cstdio>

namespace os::virtio {

namespace {

namespace reg = virtio_mmio::reg;
// Version 1 (legacy) registers that version 2 dropped (4.2.4).
namespace legacy_reg {
inline constexpr std::uint32_t guest_page_size = 0x028;
inline constexpr std::uint32_t queue_align = 0x03c;
inline constexpr std::uint32_t queue_pfn = 0x040;
} // namespace legacy_reg

constexpr std::uint32_t legacy_page = 4096;

} // namespace

MmioTransport::MmioTransport(const virtio_mmio::Device& device) : device_(device) {
    std::snprintf(description_.data(), description_.size(), "mmio 0x%llx %s",
                  static_cast<unsigned long long>(device.spec.base),
                  device.version >= 2 ? "modern" : "legacy");
    std::snprintf(interrupt_mode_.data(), interrupt_mode_.size(), "gsi %u %s", device.line.gsi,
                  device.line.trigger == irq::Trigger::level ? "level" : "edge");
}

MmioTransport::~MmioTransport() {
    if (subscription_) irq::unsubscribe(*subscription_);
}

void MmioTransport::reset() {
    device_.write32(reg::status, 0);
    // 4.2.3.1 (version 2): the reset is complete when status reads 0. Bounded: a device that never
    // finishes is caught by the FEATURES_OK check that follows.
    for (int i = 0; i < 1000 && device_.read32(reg::status) != 0; ++i) {
    }
}

std::uint8_t MmioTransport::status() {
    return static_cast<std::uint8_t>(device_.read32(reg::status));
}

void MmioTransport::set_status(std::uint8_t value) {
    device_.write32(reg::status, value);
}

std::uint64_t MmioTransport::device_features() {
    device_.write32(reg::device_features_sel, 0);
    std::uint64_t features = device_.read32(reg::device_features);
    if (modern()) {
        device_.write32(reg::device_features_sel, 1);
        features |= std::uint64_t{device_.read32(reg::device_features)} << 32;
    }
    return features;
}

void MmioTransport::set_driver_features(std::uint64_t features) {
    device_.write32(reg::driver_features_sel, 0);
    device_.write32(reg::driver_features, static_cast<std::uint32_t>(features));
    if (modern()) {
        device_.write32(reg::driver_features_sel, 1);
        device_.write32(reg::driver_features, static_cast<std::uint32_t>(features >> 32));
    } else {
        // 4.2.4: the page size the queue PFNs are counted in.
        device_.write32(legacy_reg::guest_page_size, legacy_page);
    }
}

Result<void> MmioTransport::setup_interrupts(std::function<void()> handler) {
    subscription_ = OS_TRY(irq::subscribe(device_.line, std::move(handler)));
    return {};
}

std::uint32_t MmioTransport::acknowledge_interrupt() {
    const std::uint32_t cause = device_.read32(reg::interrupt_status);
    // 4.2.2: writing the bits back de-asserts the (level-triggered) line.
    if (cause != 0) device_.write32(reg::interrupt_ack, cause);
    return cause;
}

std::uint16_t MmioTransport::queue_max_size(std::uint16_t index) {
    device_.write32(reg::queue_sel, index);
    if (modern() && device_.read32(reg::queue_ready) != 0) return 0; // in use: the reset failed
    const std::uint32_t max = device_.read32(reg::queue_num_max);
    return static_cast<std::uint16_t>(max > 32768 ? 32768 : max);
}

QueueLayout MmioTransport::queue_layout(std::uint16_t size) const {
    return modern() ? QueueLayout::modern(size) : QueueLayout::legacy(size, legacy_page);
}

Result<void> MmioTransport::setup_queue(std::uint16_t index, const QueueLayout& layout, std::uint64_t base,
                                        bool) {
    device_.write32(reg::queue_sel, index);
    device_.write32(reg::queue_num, layout.size);
    if (modern()) {
        const std::uint64_t desc = base + layout.descriptors;
        const std::uint64_t driver = base + layout.available;
        const std::uint64_t dev = base + layout.used;
        device_.write32(reg::queue_desc_low, static_cast<std::uint32_t>(desc));
        device_.write32(reg::queue_desc_high, static_cast<std::uint32_t>(desc >> 32));
        device_.write32(reg::queue_driver_low, static_cast<std::uint32_t>(driver));
        device_.write32(reg::queue_driver_high, static_cast<std::uint32_t>(driver >> 32));
        device_.write32(reg::queue_device_low, static_cast<std::uint32_t>(dev));
        device_.write32(reg::queue_device_high, static_cast<std::uint32_t>(dev >> 32));
        device_.write32(reg::queue_ready, 1);
        return {};
    }
    // 4.2.4: one block, used ring aligned to QueueAlign, addressed by page frame number.
    if ((base % legacy_page) != 0 || (base / legacy_page) > 0xffffffffu)
        return Error{Errc::invalid_argument, "legacy virtio-mmio queue memory not page aligned below 16 TiB"};
    device_.write32(legacy_reg::queue_align, legacy_page);
    device_.write32(legacy_reg::queue_pfn, static_cast<std::uint32_t>(base / legacy_page));
    return {};
}

void MmioTransport::notify(std::uint16_t index) {
    device_.write32(reg::queue_notify, index);
}

std::uint8_t MmioTransport::config8(std::uint32_t offset) {
    const auto* bytes = reinterpret_cast<volatile const std::uint8_t*>(device_.registers);
    return bytes[reg::config + offset];
}

std::uint16_t MmioTransport::config16(std::uint32_t offset) {
    const auto* bytes = reinterpret_cast<volatile const std::uint8_t*>(device_.registers);
    return *reinterpret_cast<volatile const std::uint16_t*>(bytes + reg::config + offset);
}

} // namespace os::virtio
