#include "pci_common.hpp"

#include <vector>

namespace os::virtio {

namespace {

struct SharedLine {
    std::uint8_t gsi;
    std::vector<std::function<void()>> handlers; // empty slots are released handlers
};

std::vector<SharedLine>& shared_lines() {
    static std::vector<SharedLine> lines;
    return lines;
}

} // namespace

Result<irq::MsiMessage> setup_msix(pci::Device& device, const std::function<void()>& handler) {
    if (!device.msix()) return Error{Errc::not_found, "no MSI-X capability"};
    const irq::MsiMessage msi = OS_TRY(irq::allocate_msi(handler));
    if (auto programmed = device.set_msix_entry(0, msi); !programmed) {
        irq::free_msi(msi);
        return programmed.error();
    }
    return msi;
}

Result<IntxHandle> setup_intx(pci::Device& device, std::function<void()> handler) {
    const std::uint8_t gsi = device.irq_line();
    if (device.irq_pin() == 0 || gsi == 0 || gsi == 0xff)
        return Error{Errc::not_found, "no INTx line routed"};
    auto& lines = shared_lines();
    std::size_t index = 0;
    while (index < lines.size() && lines[index].gsi != gsi)
        ++index;
    if (index == lines.size()) {
        // PCI INTx is level-triggered; QEMU's pc and q35 firmware route it to the I/O APIC input numbered by
        // the interrupt-line register, active high after the chipset (see the os README's INTx note).
        OS_TRY(irq::subscribe(irq::Line{gsi, irq::Trigger::level, irq::Polarity::active_high}, [index] {
            // By index: the vector may grow while a handler runs. Each handler acknowledges its own device.
            for (std::size_t i = 0; i < shared_lines()[index].handlers.size(); ++i) {
                auto handler = shared_lines()[index].handlers[i];
                if (handler) handler();
            }
        }));
        lines.push_back(SharedLine{gsi, {}});
    }
    lines[index].handlers.push_back(std::move(handler));
    device.set_command_bits(pci::command_bits::intx_disable, false);
    return IntxHandle{gsi, static_cast<std::uint16_t>(lines[index].handlers.size() - 1)};
}

void release_intx(IntxHandle handle) {
    for (auto& line : shared_lines()) {
        if (line.gsi == handle.gsi && handle.slot < line.handlers.size())
            line.handlers[handle.slot] = nullptr;
    }
}

} // namespace os::virtio
