#pragma once

#include <halite/os/pci.hpp>

namespace os::kernel::pc {

class PortConfigAccess final : public pci::ConfigAccess {
public:
    std::uint32_t read(pci::Address address, std::uint16_t offset, unsigned width) override;
    void write(pci::Address address, std::uint16_t offset, unsigned width, std::uint32_t value) override;
};

} // namespace os::kernel::pc
