// The parts of os::pci::Device that map device memory (BARs, the MSI-X table).
#include <halite/os/memory.hpp>
#include <halite/os/pci.hpp>

namespace os::pci {

Result<volatile void*> Device::map_bar(unsigned index) const {
    const Bar& b = bar(index);
    if (b.kind != BarKind::memory32 && b.kind != BarKind::memory64)
        return Error{Errc::invalid_argument, "not a memory BAR"};
    if (b.size == 0) return Error{Errc::invalid_argument, "empty BAR"};
    return os::memory::map_mmio(b.address, b.size);
}

Result<void> Device::set_msix_entry(std::uint16_t entry, const irq::MsiMessage& message) {
    const auto info = msix();
    if (!info) return Error{Errc::not_found, "device has no MSI-X capability"};
    if (entry >= info->table_size) return Error{Errc::invalid_argument, "MSI-X entry out of range"};
    volatile void* base = OS_TRY(map_bar(info->table_bar));
    // Entry layout: address low, address high, data, vector control (bit 0: masked).
    volatile auto* words =
        static_cast<volatile std::uint32_t*>(base) + (info->table_offset + entry * 16u) / 4;
    words[0] = static_cast<std::uint32_t>(message.address);
    words[1] = static_cast<std::uint32_t>(message.address >> 32);
    words[2] = message.data;
    words[3] = 0;
    const std::uint16_t control_at = info->offset + 2;
    const std::uint16_t control = read16(control_at);
    write16(control_at,
            static_cast<std::uint16_t>((control | 0x8000u) & ~0x4000u)); // enable, function unmasked
    set_command_bits(command_bits::intx_disable | command_bits::bus_master, true);
    return {};
}

Device* find(std::uint16_t vendor_id, std::uint16_t device_id) {
    for (auto& d : devices()) {
        if (d.vendor_id() == vendor_id && d.device_id() == device_id) return &d;
    }
    return nullptr;
}

} // namespace os::pci
