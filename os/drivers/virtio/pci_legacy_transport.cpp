#include "pci_legacy_transport.hpp"

#include "arch/x86_64/cpu.hpp"

#include <cstdio>

namespace os::virtio {

namespace {

// The legacy register block (4.1.4.8), offsets into I/O BAR 0.
namespace io {
inline constexpr std::uint16_t device_features = 0;
inline constexpr std::uint16_t driver_features = 4;
inline constexpr std::uint16_t queue_pfn = 8;
inline constexpr std::uint16_t queue_size = 12;
inline constexpr std::uint16_t queue_select = 14;
inline constexpr std::uint16_t queue_notify = 16;
inline constexpr std::uint16_t device_status = 18;
inline constexpr std::uint16_t isr = 19;
inline constexpr std::uint16_t config_vector = 20; // with MSI-X on
inline constexpr std::uint16_t queue_vector = 22;  // with MSI-X on
} // namespace io

// 2.7.2: legacy PCI queues are laid out with 4096-byte alignment and addressed by 4096-byte frame number.
constexpr std::uint64_t legacy_align = 4096;

} // namespace

Result<PciLegacyTransport*> PciLegacyTransport::create(pci::Device& device) {
    const pci::Bar& bar = device.bar(0);
    if (bar.kind != pci::BarKind::io || bar.size < 20)
        return Error{Errc::not_found, "BAR 0 is not an I/O BAR"};
    device.enable(true, true, true);
    auto* t = new PciLegacyTransport(device, static_cast<std::uint16_t>(bar.address));
    const auto a = device.address();
    std::snprintf(t->description_.data(), t->description_.size(), "pci %02x:%02x.%u legacy", a.bus, a.device,
                  a.function);
    return t;
}

PciLegacyTransport::~PciLegacyTransport() {
    if (msi_) irq::free_msi(*msi_);
    if (intx_) release_intx(*intx_);
}

void PciLegacyTransport::reset() {
    arch::outb(port_ + io::device_status, 0);
}

std::uint8_t PciLegacyTransport::status() {
    return arch::inb(port_ + io::device_status);
}

void PciLegacyTransport::set_status(std::uint8_t value) {
    arch::outb(port_ + io::device_status, value);
}

std::uint64_t PciLegacyTransport::device_features() {
    return arch::inl(port_ + io::device_features);
}

void PciLegacyTransport::set_driver_features(std::uint64_t features) {
    arch::outl(port_ + io::driver_features, static_cast<std::uint32_t>(features));
}

Result<void> PciLegacyTransport::setup_interrupts(std::function<void()> handler) {
    if (auto msix = setup_msix(device_, handler)) {
        msi_ = *msix;
        arch::outw(port_ + io::config_vector, 0);
        if (arch::inw(port_ + io::config_vector) != pci_no_vector) {
            std::snprintf(interrupt_mode_.data(), interrupt_mode_.size(), "msix vector 0x%x", msi_->vector);
            return {};
        }
        irq::free_msi(*msi_);
        msi_.reset();
    }
    intx_ = OS_TRY(setup_intx(device_, std::move(handler)));
    std::snprintf(interrupt_mode_.data(), interrupt_mode_.size(), "intx gsi %u", device_.irq_line());
    return {};
}

std::uint32_t PciLegacyTransport::acknowledge_interrupt() {
    if (msi_) return interrupt_cause::queue | interrupt_cause::config;
    return arch::inb(port_ + io::isr); // reading clears it and de-asserts INTx
}

std::uint16_t PciLegacyTransport::queue_max_size(std::uint16_t index) {
    arch::outw(port_ + io::queue_select, index);
    if (arch::inl(port_ + io::queue_pfn) != 0) return 0; // in use: the reset failed
    return arch::inw(port_ + io::queue_size);
}

QueueLayout PciLegacyTransport::queue_layout(std::uint16_t size) const {
    return QueueLayout::legacy(size, legacy_align);
}

Result<void> PciLegacyTransport::setup_queue(std::uint16_t index, const QueueLayout& layout,
                                             std::uint64_t base, bool interrupts) {
    if ((base % legacy_align) != 0 || base / legacy_align > 0xffffffffu)
        return Error{Errc::invalid_argument, "legacy virtio-pci queue memory not page aligned below 16 TiB"};
    arch::outw(port_ + io::queue_select, index);
    if (msi_) {
        const std::uint16_t vector = interrupts ? 0 : pci_no_vector;
        arch::outw(port_ + io::queue_vector, vector);
        if (arch::inw(port_ + io::queue_vector) != vector)
            return Error{Errc::io_error, "device refused the queue's MSI-X vector"};
    }
    (void)layout; // the size is the device's, the layout fixed by the alignment
    arch::outl(port_ + io::queue_pfn, static_cast<std::uint32_t>(base / legacy_align));
    return {};
}

void PciLegacyTransport::notify(std::uint16_t index) {
    arch::outw(port_ + io::queue_notify, index);
}

std::uint8_t PciLegacyTransport::config8(std::uint32_t offset) {
    return arch::inb(static_cast<std::uint16_t>(config_port() + offset));
}

std::uint16_t PciLegacyTransport::config16(std::uint32_t offset) {
    return arch::inw(static_cast<std::uint16_t>(config_port() + offset));
}

} // namespace os::virtio
