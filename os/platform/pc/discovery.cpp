// The pc platform (QEMU -M pc / q35, and KVM/OpenStack guests): a PCI host
// bridge answers at 00:00.0; every function behind it is enumerated at boot.
#include "kernel/format.hpp"
#include "kernel/kernel.hpp"
#include "kernel/singleton.hpp"
#include "pci_ports.hpp"

#include <halite/os/pci.hpp>

namespace os::kernel {

namespace {
constinit Singleton<pc::PortConfigAccess> access;
constinit Singleton<std::vector<pci::Device>> found;
} // namespace

bool pc_detect() {
    auto& a = access.constructed() ? *access : access.construct();
    return a.read(pci::Address{0, 0, 0}, pci::reg::vendor_id, 2) != 0xffff;
}

void pc_discover() {
    found.construct(pci::enumerate(*access));
    if (!verbose()) return;
    for (const auto& d : *found) {
        FormatBuffer<160> f;
        f.str("halite: pci ").hex(d.address().bus, 2).str(":").hex(d.address().device, 2).str(".");
        f.udec(d.address().function).str(" ").hex(d.vendor_id(), 4).str(":").hex(d.device_id(), 4);
        f.str(" class ").hex(d.class_code(), 2).str(" irq ").udec(d.irq_line()).str("\n");
        console_write(f.view());
    }
}

} // namespace os::kernel

namespace os::pci {

std::span<Device> devices() {
    if (!kernel::found.constructed()) return {};
    return *kernel::found;
}

} // namespace os::pci
