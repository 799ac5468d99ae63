// PCI configuration mechanism #1 (PCI Local Bus 3.0, 3.2.2.3.2): address to
// port 0xcf8, data through 0xcfc-0xcff. Reaches offsets below 256 on pc and
// q35 (q35's extended space through ECAM is not used yet).
#include "pci_ports.hpp"

#include "arch/x86_64/cpu.hpp"

namespace os::kernel::pc {

namespace {

std::uint32_t config_address(pci::Address a, std::uint16_t offset) {
    return 0x80000000u | (std::uint32_t{a.bus} << 16) | (std::uint32_t{a.device & 0x1fu} << 11) |
           (std::uint32_t{a.function & 0x7u} << 8) | (offset & 0xfcu);
}

} // namespace

std::uint32_t PortConfigAccess::read(pci::Address a, std::uint16_t offset, unsigned width) {
    if (offset >= 256) return 0xffffffffu;
    arch::outl(0xcf8, config_address(a, offset));
    switch (width) {
    case 1:
        return arch::inb(static_cast<std::uint16_t>(0xcfc + (offset & 3)));
    case 2:
        return arch::inw(static_cast<std::uint16_t>(0xcfc + (offset & 2)));
    default:
        return arch::inl(0xcfc);
    }
}

void PortConfigAccess::write(pci::Address a, std::uint16_t offset, unsigned width, std::uint32_t value) {
    if (offset >= 256) return;
    arch::outl(0xcf8, config_address(a, offset));
    switch (width) {
    case 1:
        arch::outb(static_cast<std::uint16_t>(0xcfc + (offset & 3)), static_cast<std::uint8_t>(value));
        break;
    case 2:
        arch::outw(static_cast<std::uint16_t>(0xcfc + (offset & 2)), static_cast<std::uint16_t>(value));
        break;
    default:
        arch::outl(0xcfc, value);
        break;
    }
}

} // namespace os::kernel::pc
