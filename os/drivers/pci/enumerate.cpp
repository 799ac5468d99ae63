// Bus walk: every function of every device on bus 0 and on the buses behind
// PCI-to-PCI bridges (PCI Local Bus 3.0, 6.2.1; bridge headers: PCI-to-PCI
// Bridge 1.2, 3.2.5.3).
#include <halite/os/pci.hpp>

#include <array>

namespace os::pci {

namespace {

void scan_bus(ConfigAccess& access, std::uint8_t bus, std::vector<Device>& out, std::array<bool, 256>& seen) {
    if (seen[bus]) return; // firmware bugs can make bridges loop
    seen[bus] = true;
    for (std::uint8_t dev = 0; dev < 32; ++dev) {
        if (access.read(Address{bus, dev, 0}, reg::vendor_id, 2) == 0xffff) continue;
        const bool multifunction = (access.read(Address{bus, dev, 0}, reg::header_type, 1) & 0x80) != 0;
        const std::uint8_t functions = multifunction ? 8 : 1;
        for (std::uint8_t fn = 0; fn < functions; ++fn) {
            const Address a{bus, dev, fn};
            if (access.read(a, reg::vendor_id, 2) == 0xffff) continue;
            Device d(access, a);
            d.probe_bars();
            const bool bridge = d.header_type() == 1;
            const auto secondary = static_cast<std::uint8_t>(access.read(a, reg::secondary_bus, 1));
            out.push_back(d);
            if (bridge && secondary != 0) scan_bus(access, secondary, out, seen);
        }
    }
}

} // namespace

std::vector<Device> enumerate(ConfigAccess& access) {
    std::vector<Device> out;
    std::array<bool, 256> seen{};
    scan_bus(access, 0, out, seen);
    return out;
}

} // namespace os::pci
