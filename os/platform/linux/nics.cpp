// os::nics() on the linux platform: one NIC per --nic option, in order (see nic_spec.hpp).
#include "nic_spec.hpp"
#include "packet_nic.hpp"
#include "tap_nic.hpp"
#include "xdp_nic.hpp"

#include <halite/os/cmdline.hpp>
#include <halite/os/console.hpp>
#include <halite/os/system.hpp>

namespace os {

std::span<Nic* const> nics() {
    static std::vector<Nic*>* list = nullptr;
    if (list != nullptr) return *list;
    list = new std::vector<Nic*>;
    for (const std::string_view option : linux_nic::nic_options(os::cmdline().args())) {
        const auto spec = linux_nic::parse_nic_spec(option);
        if (!spec) {
            os::printf("halite: --nic %.*s: expected tap:IFNAME[,mac=xx:xx:xx:xx:xx:xx], packet:IFNAME or "
                       "xdp:IFNAME\n",
                       static_cast<int>(option.size()), option.data());
            continue;
        }
        const auto index = static_cast<unsigned>(list->size());
        if (spec->kind == linux_nic::Kind::tap) {
            if (auto nic = linux_nic::TapNic::open(spec->interface,
                                                   spec->mac.value_or(linux_nic::TapNic::default_mac(index))))
                list->push_back(*nic);
        } else {
            if (spec->mac)
                os::printf("halite: --nic %s: mac= ignored, the interface's own address is used\n",
                           spec->interface.c_str());
            if (spec->kind == linux_nic::Kind::xdp) {
                if (auto nic = linux_nic::XdpNic::open(spec->interface)) list->push_back(*nic);
            } else if (auto nic = linux_nic::PacketNic::open(spec->interface, index)) {
                list->push_back(*nic);
            }
        }
    }
    return *list;
}

} // namespace os
