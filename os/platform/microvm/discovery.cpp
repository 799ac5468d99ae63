// The microvm platform: no PCI; virtio-mmio transports are declared in the
// ACPI DSDT or, with acpi=off, appended to the command line by QEMU
// (`virtio_mmio.device=`). Each is probed for a device.
#include "kernel/format.hpp"
#include "kernel/kernel.hpp"
#include "kernel/singleton.hpp"

#include <halite/os/memory.hpp>
#include <halite/os/system.hpp>
#include <halite/os/virtio_mmio.hpp>

#include <vector>

namespace os::kernel {

namespace {

constinit Singleton<std::vector<virtio_mmio::Device>> found;

void probe(std::vector<virtio_mmio::Device>& list, const virtio_mmio::Spec& spec, irq::Line line) {
    for (const auto& d : list) {
        if (d.spec.base == spec.base) return; // in both the DSDT and the command line
    }
    auto mapped = os::memory::map_mmio(spec.base, spec.size);
    if (!mapped) return;
    const virtio_mmio::Device transport{spec, line, 0, 0, 0, static_cast<volatile std::uint32_t*>(*mapped)};
    if (transport.read32(virtio_mmio::reg::magic) != virtio_mmio::magic_value) return;
    const std::uint32_t device_id = transport.read32(virtio_mmio::reg::device_id);
    if (device_id == 0) return; // a transport without a device
    list.push_back(virtio_mmio::Device{spec, line, transport.read32(virtio_mmio::reg::version), device_id,
                                       transport.read32(virtio_mmio::reg::vendor_id), transport.registers});
    if (verbose()) {
        FormatBuffer<128> f;
        f.str("halite: virtio-mmio ").hex(spec.base).str(" irq ").udec(spec.irq).str(" device ");
        f.udec(device_id).str(" version ").udec(list.back().version).str("\n");
        console_write(f.view());
    }
}

} // namespace

void microvm_discover() {
    auto& list = found.construct();
    for (const auto& r : acpi_info().virtio_mmio) {
        probe(list, virtio_mmio::Spec{r.base, r.size, r.irq, std::nullopt},
              irq::Line{r.irq, r.level ? irq::Trigger::level : irq::Trigger::edge,
                        r.active_low ? irq::Polarity::active_low : irq::Polarity::active_high});
    }
    for (const auto value : os::cmdline().get_all("virtio_mmio.device")) {
        const auto spec = virtio_mmio::parse_spec(value);
        if (!spec) {
            console_write("halite: ignoring malformed virtio_mmio.device\n");
            continue;
        }
        probe(list, *spec, irq::Line{spec->irq, irq::Trigger::level, irq::Polarity::active_high});
    }
}

} // namespace os::kernel

namespace os::virtio_mmio {

std::span<const Device> devices() {
    if (!kernel::found.constructed()) return {};
    return *kernel::found;
}

} // namespace os::virtio_mmio
