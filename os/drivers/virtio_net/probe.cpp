// os::nics() on an image: the virtio-net devices found at boot, driven by VirtioNet, in NIC order.
//
// Order: PCI bus/slot/function order on pc/q35. On microvm, QEMU plugs the n-th -device into the n-th
// virtio-mmio transport counted from the top of the window, so descending base address is the command
// line's order (whether the transports came from the DSDT or from virtio_mmio.device= entries).
#include "drivers/virtio/mmio_transport.hpp"
#include "drivers/virtio/pci_common.hpp"
#include "drivers/virtio/pci_legacy_transport.hpp"
#include "drivers/virtio/pci_modern_transport.hpp"
#include "virtio_net.hpp"

#include <halite/os/console.hpp>
#include <halite/os/nic.hpp>
#include <halite/os/pci.hpp>
#include <halite/os/virtio_mmio.hpp>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace os {

namespace {

constexpr std::uint32_t mmio_net_device = 1; // virtio 1.2, 5: device ID 1 is a network card

void add(std::vector<Nic*>& list, std::unique_ptr<virtio::Transport> transport) {
    const auto index = static_cast<unsigned>(list.size());
    const char* where = transport->description();
    char place[48];
    std::snprintf(place, sizeof place, "%s", where);
    auto nic = virtio::VirtioNet::create(std::move(transport), index);
    if (!nic) {
        os::printf("halite: virtio-net at %s: unsupported: %s\n", place, nic.error().context);
        return;
    }
    char line[256];
    (*nic)->describe(line);
    os::printf("halite: %s\n", line);
    list.push_back(*nic);
}

void probe_pci(std::vector<Nic*>& list) {
    for (pci::Device& d : pci::devices()) {
        if (d.vendor_id() != virtio::pci_vendor) continue;
        // 4.1.2.1: 0x1000-0x103f transitional devices, 0x1040 + type modern ones.
        const std::uint16_t id = d.device_id();
        if (id != virtio::pci_net_transitional && id != virtio::pci_net_modern) {
            if (id >= 0x1000 && id <= 0x107f) {
                os::printf("halite: virtio device %04x at pci %02x:%02x.%u: no driver\n", id, d.address().bus,
                           d.address().device, d.address().function);
            }
            continue;
        }
        // A transitional device offers both interfaces: the modern one is preferred.
        if (auto modern = virtio::PciModernTransport::create(d)) {
            add(list, std::unique_ptr<virtio::Transport>(*modern));
        } else if (auto legacy = virtio::PciLegacyTransport::create(d)) {
            add(list, std::unique_ptr<virtio::Transport>(*legacy));
        } else {
            os::printf("halite: virtio-net at pci %02x:%02x.%u: unsupported: neither a modern nor a legacy "
                       "interface\n",
                       d.address().bus, d.address().device, d.address().function);
        }
    }
}

void probe_mmio(std::vector<Nic*>& list) {
    std::vector<const virtio_mmio::Device*> found;
    for (const auto& d : virtio_mmio::devices()) {
        if (d.device_id == mmio_net_device) {
            found.push_back(&d);
        } else {
            os::printf("halite: virtio device %u at mmio 0x%llx: no driver\n", d.device_id,
                       static_cast<unsigned long long>(d.spec.base));
        }
    }
    std::sort(found.begin(), found.end(), [](auto* a, auto* b) { return a->spec.base > b->spec.base; });
    for (const auto* d : found) {
        if (d->version != 1 && d->version != 2) {
            os::printf("halite: virtio-net at mmio 0x%llx: unsupported: transport version %u\n",
                       static_cast<unsigned long long>(d->spec.base), d->version);
            continue;
        }
        add(list, std::make_unique<virtio::MmioTransport>(*d));
    }
}

} // namespace

std::span<Nic* const> nics() {
    static std::vector<Nic*>* list = nullptr;
    if (list == nullptr) {
        list = new std::vector<Nic*>;
        probe_pci(*list);
        probe_mmio(*list);
    }
    return *list;
}

} // namespace os
