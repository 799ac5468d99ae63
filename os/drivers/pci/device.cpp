// os::pci::Device: config-space accessors, BAR sizing, capabilities, MSI/MSI-X.
// Layouts: PCI Local Bus 3.0, 6.2.5 (BARs), 6.7 (capabilities), 6.8 (MSI, MSI-X).
#include <halite/os/pci.hpp>

namespace os::pci {

namespace {
constexpr std::uint16_t status_capabilities = 1u << 4;
constexpr unsigned max_capabilities = 48; // (256 - 64) / 4: more means a loop
} // namespace

Device::Device(ConfigAccess& access, Address address) : access_(&access), address_(address) {
    vendor_id_ = read16(reg::vendor_id);
    device_id_ = read16(reg::device_id);
    revision_ = read8(reg::revision);
    prog_if_ = read8(reg::prog_if);
    subclass_ = read8(reg::subclass);
    class_code_ = read8(reg::class_code);
    header_type_ = read8(reg::header_type);
}

std::uint8_t Device::read8(std::uint16_t offset) const {
    return static_cast<std::uint8_t>(access_->read(address_, offset, 1));
}
std::uint16_t Device::read16(std::uint16_t offset) const {
    return static_cast<std::uint16_t>(access_->read(address_, offset, 2));
}
std::uint32_t Device::read32(std::uint16_t offset) const {
    return access_->read(address_, offset, 4);
}
void Device::write8(std::uint16_t offset, std::uint8_t value) {
    access_->write(address_, offset, 1, value);
}
void Device::write16(std::uint16_t offset, std::uint16_t value) {
    access_->write(address_, offset, 2, value);
}
void Device::write32(std::uint16_t offset, std::uint32_t value) {
    access_->write(address_, offset, 4, value);
}

const Bar& Device::bar(unsigned index) const {
    static const Bar none{};
    return index < bar_count_ ? bars_[index] : none;
}

void Device::probe_bars() {
    switch (header_type()) {
    case 0:
        bar_count_ = 6;
        break;
    case 1:
        bar_count_ = 2;
        break;
    default:
        bar_count_ = 0;
        return;
    }
    // Sizing writes all ones to a BAR; the device must not decode meanwhile.
    const std::uint16_t command = read16(reg::command);
    write16(reg::command, command & ~(command_bits::io | command_bits::memory));
    for (unsigned i = 0; i < bar_count_; ++i) {
        const auto offset = static_cast<std::uint16_t>(reg::bar0 + 4 * i);
        const std::uint32_t original = read32(offset);
        write32(offset, 0xffffffff);
        const std::uint32_t mask = read32(offset);
        write32(offset, original);
        Bar& b = bars_[i];
        b = Bar{};
        if (mask == 0) continue; // not implemented
        if (original & 1) {
            // I/O BARs may implement only 16 address bits.
            std::uint32_t m = mask & ~0x3u;
            if ((m & 0xffff0000u) == 0) m |= 0xffff0000u;
            b = Bar{BarKind::io, original & ~0x3u, std::uint64_t{~m + 1}, false};
            continue;
        }
        const unsigned type = (original >> 1) & 0x3;
        const bool prefetchable = (original & 0x8) != 0;
        if (type == 2 && i + 1 < bar_count_) {
            const auto high_offset = static_cast<std::uint16_t>(offset + 4);
            const std::uint32_t original_high = read32(high_offset);
            write32(high_offset, 0xffffffff);
            const std::uint32_t mask_high = read32(high_offset);
            write32(high_offset, original_high);
            const std::uint64_t mask64 = (std::uint64_t{mask_high} << 32) | (mask & ~0xfu);
            const std::uint64_t address = (std::uint64_t{original_high} << 32) | (original & ~0xfu);
            b = Bar{BarKind::memory64, address, ~mask64 + 1, prefetchable};
            bars_[++i] = Bar{}; // the upper half
            continue;
        }
        const std::uint32_t m = mask & ~0xfu;
        b = Bar{BarKind::memory32, original & ~0xfu, std::uint64_t{~m + 1}, prefetchable};
    }
    write16(reg::command, command);
}

std::vector<Capability> Device::capabilities() const {
    std::vector<Capability> caps;
    if ((read16(reg::status) & status_capabilities) == 0) return caps;
    std::uint8_t at = read8(reg::capabilities) & 0xfc;
    while (at >= 0x40 && caps.size() < max_capabilities) {
        caps.push_back(Capability{read8(at), at});
        at = read8(static_cast<std::uint16_t>(at + 1)) & 0xfc;
    }
    return caps;
}

std::optional<std::uint8_t> Device::find_capability(std::uint8_t id) const {
    for (const auto& c : capabilities()) {
        if (c.id == id) return c.offset;
    }
    return std::nullopt;
}

void Device::set_command_bits(std::uint16_t bits, bool on) {
    const std::uint16_t command = read16(reg::command);
    write16(reg::command, on ? (command | bits) : (command & ~bits));
}

void Device::enable(bool memory, bool io, bool bus_master) {
    std::uint16_t bits = 0;
    if (memory) bits |= command_bits::memory;
    if (io) bits |= command_bits::io;
    if (bus_master) bits |= command_bits::bus_master;
    set_command_bits(bits, true);
}

Result<void> Device::enable_msi(const irq::MsiMessage& message) {
    const auto cap_at = find_capability(cap::msi);
    if (!cap_at) return Error{Errc::not_found, "device has no MSI capability"};
    const std::uint16_t at = *cap_at;
    const std::uint16_t control = read16(at + 2);
    const bool is64 = (control & (1u << 7)) != 0;
    const bool maskable = (control & (1u << 8)) != 0;
    write32(at + 4, static_cast<std::uint32_t>(message.address));
    std::uint16_t data_at = at + 8;
    if (is64) {
        write32(at + 8, static_cast<std::uint32_t>(message.address >> 32));
        data_at = at + 12;
    }
    write16(data_at, static_cast<std::uint16_t>(message.data));
    if (maskable) write32(static_cast<std::uint16_t>(data_at + 4), 0); // unmask vector 0
    // One message (MME = 0), enabled; legacy INTx off.
    write16(at + 2, static_cast<std::uint16_t>((control & ~(0x7u << 4)) | 1u));
    set_command_bits(command_bits::intx_disable | command_bits::bus_master, true);
    return {};
}

std::optional<MsixInfo> Device::msix() const {
    const auto cap_at = find_capability(cap::msix);
    if (!cap_at) return std::nullopt;
    const std::uint16_t at = *cap_at;
    const std::uint16_t control = read16(at + 2);
    const std::uint32_t table = read32(at + 4);
    const std::uint32_t pba = read32(at + 8);
    return MsixInfo{*cap_at,
                    static_cast<std::uint16_t>((control & 0x7ff) + 1),
                    static_cast<std::uint8_t>(table & 0x7),
                    table & ~0x7u,
                    static_cast<std::uint8_t>(pba & 0x7),
                    pba & ~0x7u};
}

} // namespace os::pci
