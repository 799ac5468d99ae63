// Ifaces onto the stack's interfaces: NIC selection (index or MAC), VLAN sub-interfaces, MTU, limits,
// static / DHCP / DHCP-with-fallback addresses; then the Gateway's routes and forwarding. Whatever cannot
// be honoured is said on the console and fails the setup.
#include "../appliance_internal.hpp"

#include <optional>

namespace appliance {

namespace {

void add_mac(Text& t, const net::MacAddress& m) {
    static constexpr char digits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < 6; ++i) {
        if (i != 0) t.add(':');
        t.add(digits[m.octets[i] >> 4]).add(digits[m.octets[i] & 0xf]);
    }
}

} // namespace

net::Interface* Appliance::interface(std::size_t i) const {
    return i < config_.ifaces.size() ? ifaces_[i].net : nullptr;
}

bool Appliance::set_up_interfaces() {
    if (config_.ifaces.size() >= no_iface) {
        console("appliance: more than 254 Ifaces cannot be told apart by the rules (iif/oif are 8-bit)\n");
        return false;
    }
    ifaces_.reset(new (std::nothrow_t{}) IfaceRuntime[config_.ifaces.size()]);
    if (!ifaces_ && !config_.ifaces.empty()) {
        console("appliance: out of memory for the Ifaces\n");
        return false;
    }
    iface_of_net_.fill(no_iface);
    for (std::size_t i = 0; i < config_.ifaces.size(); ++i) {
        if (!set_up_interface(i)) return false;
    }
    return true;
}

bool Appliance::set_up_interface(std::size_t index) {
    const IfaceConfig& c = config_.ifaces[index];
    IfaceRuntime& rt = ifaces_[index];
    rt.config = &c;
    TextBuffer<400> why;
    auto fail = [&] {
        TextBuffer<480> line;
        line.add("appliance: Iface ").add(c.name).add(": ").add(why.view()).add('\n');
        console(line.view());
        return false;
    };

    // The machine's NICs, in NIC order: the interfaces that are not VLANs.
    std::array<net::Interface*, net::Stack::max_interfaces> nics{};
    std::size_t nic_count = 0;
    for (net::Interface* i : stack_.interfaces()) {
        if (i->parent() == nullptr) nics[nic_count++] = i;
    }
    net::Interface* nic = nullptr;
    if (c.mac != nullptr) {
        const auto mac = net::MacAddress::parse(c.mac);
        if (!mac) {
            why.add("mac \"").add(c.mac).add("\" is not a MAC address like c0:01:0a:00:00:2a");
            return fail();
        }
        for (std::size_t n = 0; n < nic_count; ++n) {
            if (nics[n]->mac() == *mac) nic = nics[n];
        }
        if (nic == nullptr) {
            why.add("no NIC has MAC ").add(c.mac).add("; this machine's NICs are");
            if (nic_count == 0) why.add(" none");
            for (std::size_t n = 0; n < nic_count; ++n) {
                why.add(n == 0 ? " " : ", ");
                add_mac(why, nics[n]->mac());
            }
            return fail();
        }
    }
    if (c.nic_index >= 0) {
        if (static_cast<std::size_t>(c.nic_index) >= nic_count) {
            why.add("index ")
                .add_number(static_cast<std::uint64_t>(c.nic_index))
                .add(", but this machine has ");
            why.add_number(nic_count).add(nic_count == 1 ? " NIC" : " NICs");
            return fail();
        }
        net::Interface* by_index = nics[static_cast<std::size_t>(c.nic_index)];
        if (nic != nullptr && nic != by_index) {
            why.add("index ").add_number(static_cast<std::uint64_t>(c.nic_index)).add(" and mac ").add(c.mac);
            why.add(" are different NICs");
            return fail();
        }
        nic = by_index;
    }
    if (nic == nullptr) {
        why.add("no NIC selected (neither an index nor a mac)");
        return fail();
    }
    rt.nic = nic;

    net::Interface* iface = nic;
    if (c.vlan != 0) {
        auto vlan = stack_.add_vlan(*nic, c.vlan);
        if (!vlan) {
            why.add("VLAN ").add_number(c.vlan).add(" on ").add(nic->name()).add(": ");
            why.add(vlan.error() == net::Error::AddressInUse ? "another Iface has this tag on this NIC"
                    : vlan.error() == net::Error::TableFull  ? "no VLAN slot left on this NIC"
                                                             : "not a valid tag (1-4094)");
            return fail();
        }
        iface = vlan.value();
    } else {
        for (std::size_t j = 0; j < index; ++j) {
            if (ifaces_[j].nic == nic && ifaces_[j].config->vlan == 0) {
                why.add("NIC ")
                    .add(nic->name())
                    .add(" is Iface ")
                    .add(config_.ifaces[j].name)
                    .add("'s already");
                return fail();
            }
        }
    }
    rt.net = iface;
    iface_of_net_[iface->index()] = static_cast<std::uint8_t>(index);

    // The NIC limits belong to the NIC, not to a VLAN on it (the front end says so too).
    if ((c.buffer_limit != 0 || c.send_queue_limit != 0) && iface->parent() != nullptr) {
        why.add("buffer_limit and send_queue_limit belong to the NIC, not to VLAN ").add_number(c.vlan);
        return fail();
    }
    if (c.buffer_limit != 0) {
        if (auto r = iface->set_buffer_limit(c.buffer_limit); !r) {
            why.add("buffer_limit ").add_number(c.buffer_limit).add(": ").add(net::to_string(r.error()));
            return fail();
        }
    }
    if (c.send_queue_limit != 0) {
        if (auto r = iface->set_send_queue_limit(c.send_queue_limit); !r) {
            why.add("send_queue_limit ")
                .add_number(c.send_queue_limit)
                .add(": ")
                .add(net::to_string(r.error()));
            return fail();
        }
    }
    if (c.mtu != 0) {
        // RFC 791: every host must take 68-byte datagrams.
        if (c.mtu < 68) {
            why.add("mtu ").add_number(c.mtu).add(" is below the IPv4 minimum of 68");
            return fail();
        }
        if (c.mtu > iface->mtu()) {
            why.add("mtu ").add_number(c.mtu).add(" cannot be honoured: ").add(iface->name());
            why.add(" carries at most ").add_number(iface->mtu());
            return fail();
        }
        if (c.mtu < iface->mtu()) rt.mtu = static_cast<std::uint16_t>(c.mtu);
    }

    const net::Ipv4Address address{c.address}, netmask{c.netmask}, gateway{c.gateway};
    switch (c.source) {
    case AddressSource::Static: {
        if (c.address == 0) break; // no address: the Iface passes nothing it would have to route
        if (auto r = iface->configure(address, netmask, gateway); !r) {
            why.add("address ").add_ipv4(c.address).add(" netmask ").add_ipv4(c.netmask);
            if (c.gateway != 0) why.add(" gateway ").add_ipv4(c.gateway);
            why.add(": ").add(r.error() == net::Error::InvalidArgument
                                  ? "not a unicast address, a contiguous netmask and a gateway in the subnet"
                                  : net::to_string(r.error()));
            return fail();
        }
        break;
    }
    case AddressSource::Dhcp:
    case AddressSource::DhcpWithFallback: {
        net::DhcpConfig dhcp;
        dhcp.xid_seed = static_cast<std::uint32_t>(platform_.random_seed() ^ (index * 0x9e3779b9u));
        if (c.source == AddressSource::DhcpWithFallback) {
            if (c.address == 0 || c.netmask == 0) {
                why.add("dhcp-with-fallback needs the fallback address and netmask");
                return fail();
            }
            dhcp.fallback = net::StaticConfig{address, netmask, gateway};
        }
        iface->use_dhcp(dhcp);
        break;
    }
    }
    return true;
}

bool Appliance::set_up_routes() {
    for (const RouteConfig& r : config_.routes) {
        TextBuffer<200> line;
        line.add("appliance: route ").add_ipv4(r.network).add('/').add_number(r.prefix_length).add(": ");
        if (r.iface >= config_.ifaces.size() || r.prefix_length > 32) {
            line.add(r.prefix_length > 32 ? "prefix length above 32\n" : "its Iface index is out of range\n");
            console(line.view());
            return false;
        }
        net::Route route;
        route.destination = net::Ipv4Cidr{net::Ipv4Address{r.network}, r.prefix_length};
        route.gateway = net::Ipv4Address{r.nexthop};
        route.interface = ifaces_[r.iface].net;
        route.metric = r.cost;
        route.origin = net::RouteOrigin::Static;
        if (auto added = stack_.routes().add(route); !added) {
            line.add(added.error() == net::Error::TableFull ? "the routing table is full"
                                                            : net::to_string(added.error()));
            console(line.add('\n').view());
            return false;
        }
    }
    stack_.set_forwarding(config_.gateway);
    return true;
}

} // namespace appliance
