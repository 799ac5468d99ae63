#include "pci_modern_transport.hpp"

#include <cstdio>

namespace os::virtio {

namespace {

// struct virtio_pci_common_cfg (4.1.4.3).
namespace common {
inline constexpr std::uint32_t device_feature_select = 0x00;
inline constexpr std::uint32_t device_feature = 0x04;
inline constexpr std::uint32_t driver_feature_select = 0x08;
inline constexpr std::uint32_t driver_feature = 0x0c;
inline constexpr std::uint32_t msix_config = 0x10;
inline constexpr std::uint32_t device_status = 0x14;
inline constexpr std::uint32_t queue_select = 0x16;
inline constexpr std::uint32_t queue_size = 0x18;
inline constexpr std::uint32_t queue_msix_vector = 0x1a;
inline constexpr std::uint32_t queue_enable = 0x1c;
inline constexpr std::uint32_t queue_notify_off = 0x1e;
inline constexpr std::uint32_t queue_desc = 0x20;
inline constexpr std::uint32_t queue_driver = 0x28;
inline constexpr std::uint32_t queue_device = 0x30;
} // namespace common

// cfg_type of struct virtio_pci_cap (4.1.4).
namespace cfg_type {
inline constexpr std::uint8_t common = 1;
inline constexpr std::uint8_t notify = 2;
inline constexpr std::uint8_t isr = 3;
inline constexpr std::uint8_t device = 4;
} // namespace cfg_type

template <class T>
T read(volatile std::uint8_t* base, std::uint32_t offset) {
    return *reinterpret_cast<volatile T*>(base + offset);
}
template <class T>
void write(volatile std::uint8_t* base, std::uint32_t offset, T value) {
    *reinterpret_cast<volatile T*>(base + offset) = value;
}
// 4.1.3.1: 64-bit fields may be written as two 32-bit halves, low first.
void write64(volatile std::uint8_t* base, std::uint32_t offset, std::uint64_t value) {
    write<std::uint32_t>(base, offset, static_cast<std::uint32_t>(value));
    write<std::uint32_t>(base, offset + 4, static_cast<std::uint32_t>(value >> 32));
}

} // namespace

Result<PciModernTransport*> PciModernTransport::create(pci::Device& device) {
    auto* t = new PciModernTransport(device);
    device.enable(true, true, true);
    for (const auto& cap : device.capabilities()) {
        if (cap.id != pci::cap::vendor) continue;
        // struct virtio_pci_cap: cap_vndr, cap_next, cap_len, cfg_type, bar, id, padding[2], offset, length.
        const std::uint8_t type = device.read8(cap.offset + 3);
        const std::uint8_t bar = device.read8(cap.offset + 4);
        const std::uint32_t offset = device.read32(cap.offset + 8);
        const std::uint32_t length = device.read32(cap.offset + 12);
        if (bar > 5 || length == 0) continue;
        volatile std::uint8_t** target = nullptr;
        switch (type) {
        case cfg_type::common:
            target = &t->common_;
            break;
        case cfg_type::notify:
            target = &t->notify_base_;
            break;
        case cfg_type::isr:
            target = &t->isr_;
            break;
        case cfg_type::device:
            target = &t->device_config_;
            break;
        default:
            continue; // PCI configuration access, shared memory, vendor data
        }
        // 4.1.4.1: the first capability of each type is the preferred one.
        if (*target != nullptr) continue;
        const pci::Bar& b = device.bar(bar);
        if (std::uint64_t{offset} + length > b.size) continue;
        auto mapped = device.map_bar(bar);
        if (!mapped) continue;
        *target = static_cast<volatile std::uint8_t*>(*mapped) + offset;
        if (type == cfg_type::notify) t->notify_multiplier_ = device.read32(cap.offset + 16);
    }
    if (t->common_ == nullptr || t->notify_base_ == nullptr || t->isr_ == nullptr) {
        delete t;
        return Error{Errc::not_found, "no modern virtio-pci interface"};
    }
    const auto a = device.address();
    std::snprintf(t->description_.data(), t->description_.size(), "pci %02x:%02x.%u modern", a.bus, a.device,
                  a.function);
    return t;
}

PciModernTransport::~PciModernTransport() {
    if (msi_) irq::free_msi(*msi_);
    if (intx_) release_intx(*intx_);
}

void PciModernTransport::reset() {
    write<std::uint8_t>(common_, common::device_status, 0);
    // 4.1.4.3.2: the reset is complete when device_status reads back 0 (bounded, see MmioTransport).
    for (int i = 0; i < 1000 && read<std::uint8_t>(common_, common::device_status) != 0; ++i) {
    }
}

std::uint8_t PciModernTransport::status() {
    return read<std::uint8_t>(common_, common::device_status);
}

void PciModernTransport::set_status(std::uint8_t value) {
    write<std::uint8_t>(common_, common::device_status, value);
}

std::uint64_t PciModernTransport::device_features() {
    write<std::uint32_t>(common_, common::device_feature_select, 0);
    std::uint64_t f = read<std::uint32_t>(common_, common::device_feature);
    write<std::uint32_t>(common_, common::device_feature_select, 1);
    f |= std::uint64_t{read<std::uint32_t>(common_, common::device_feature)} << 32;
    return f;
}

void PciModernTransport::set_driver_features(std::uint64_t features) {
    write<std::uint32_t>(common_, common::driver_feature_select, 0);
    write<std::uint32_t>(common_, common::driver_feature, static_cast<std::uint32_t>(features));
    write<std::uint32_t>(common_, common::driver_feature_select, 1);
    write<std::uint32_t>(common_, common::driver_feature, static_cast<std::uint32_t>(features >> 32));
}

Result<void> PciModernTransport::setup_interrupts(std::function<void()> handler) {
    auto msix = setup_msix(device_, handler);
    if (msix) {
        msi_ = *msix;
        // 4.1.5.1.2: configuration changes on vector 0 too; the device answers NO_VECTOR if it cannot.
        write<std::uint16_t>(common_, common::msix_config, 0);
        if (read<std::uint16_t>(common_, common::msix_config) == pci_no_vector) {
            irq::free_msi(*msi_);
            msi_.reset();
        } else {
            std::snprintf(interrupt_mode_.data(), interrupt_mode_.size(), "msix vector 0x%x", msi_->vector);
            return {};
        }
    }
    intx_ = OS_TRY(setup_intx(device_, std::move(handler)));
    std::snprintf(interrupt_mode_.data(), interrupt_mode_.size(), "intx gsi %u", device_.irq_line());
    return {};
}

std::uint32_t PciModernTransport::acknowledge_interrupt() {
    if (msi_) return interrupt_cause::queue | interrupt_cause::config;
    // 4.1.4.5: reading the ISR status clears it and de-asserts INTx.
    return *isr_;
}

std::uint16_t PciModernTransport::queue_max_size(std::uint16_t index) {
    write<std::uint16_t>(common_, common::queue_select, index);
    return read<std::uint16_t>(common_, common::queue_size);
}

Result<void> PciModernTransport::setup_queue(std::uint16_t index, const QueueLayout& layout,
                                             std::uint64_t base, bool interrupts) {
    if (index >= notify_.size()) return Error{Errc::invalid_argument, "queue index out of range"};
    write<std::uint16_t>(common_, common::queue_select, index);
    write<std::uint16_t>(common_, common::queue_size, layout.size);
    write64(common_, common::queue_desc, base + layout.descriptors);
    write64(common_, common::queue_driver, base + layout.available);
    write64(common_, common::queue_device, base + layout.used);
    if (msi_) {
        const std::uint16_t vector = interrupts ? 0 : pci_no_vector;
        write<std::uint16_t>(common_, common::queue_msix_vector, vector);
        if (read<std::uint16_t>(common_, common::queue_msix_vector) != vector)
            return Error{Errc::io_error, "device refused the queue's MSI-X vector"};
    }
    // 4.1.4.4: the queue's doorbell is at cap.offset + queue_notify_off * notify_off_multiplier.
    const std::uint16_t notify_off = read<std::uint16_t>(common_, common::queue_notify_off);
    notify_[index] = notify_base_ + std::uint32_t{notify_off} * notify_multiplier_;
    write<std::uint16_t>(common_, common::queue_enable, 1);
    return {};
}

void PciModernTransport::notify(std::uint16_t index) {
    // 4.1.5.2: the driver writes the queue index to the queue's notification address.
    *reinterpret_cast<volatile std::uint16_t*>(notify_[index]) = index;
}

std::uint8_t PciModernTransport::config8(std::uint32_t offset) {
    return device_config_ != nullptr ? read<std::uint8_t>(device_config_, offset) : 0;
}

std::uint16_t PciModernTransport::config16(std::uint32_t offset) {
    return device_config_ != nullptr ? read<std::uint16_t>(device_config_, offset) : 0;
}

} // namespace os::virtio
