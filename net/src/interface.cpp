#include "net/interface.hpp"

#include "net/stack.hpp"

#include <cstdio>
#include <new>

namespace net {

Interface::Interface(Stack& stack, Nic& nic, std::size_t index, Interface* parent, std::uint16_t vlan_id,
                     std::size_t nic_number, const ArpConfig& arp)
    : stack_(stack), nic_(nic), index_(index), parent_(parent), vlan_id_(vlan_id), arp_(arp), mac_(nic.mac()),
      mtu_(nic.mtu()) {
    if (parent == nullptr) {
        std::snprintf(name_.data(), name_.size(), "eth%zu", nic_number);
    } else {
        std::snprintf(name_.data(), name_.size(), "%.12s.%u", parent->name(), unsigned{vlan_id});
    }
    link_up_ = nic.link_up();
}

ErrorOr<void> Interface::configure(Ipv4Address address, Ipv4Address netmask, Ipv4Address gateway) {
    dhcp_.reset();
    return set_address(address, netmask, gateway);
}

void Interface::deconfigure() {
    dhcp_.reset();
    clear_address();
}

ErrorOr<void> Interface::set_address(Ipv4Address address, Ipv4Address netmask, Ipv4Address gateway) {
    auto len = Ipv4Cidr::prefix_of(netmask);
    if (!len || address.is_unspecified() || address.is_broadcast() || address.is_multicast() ||
        address.is_loopback() || address.is_class_e())
        return Error::InvalidArgument;
    const Ipv4Cidr cidr{address, *len};
    // RFC 1122 3.2.1.3: the all-zeros and all-ones host numbers are not host addresses (RFC 3021: except
    // /31).
    if (*len < 31 && (address == cidr.network() || address == cidr.directed_broadcast()))
        return Error::InvalidArgument;
    if (!gateway.is_unspecified() && (!cidr.contains(gateway) || gateway == address))
        return Error::InvalidArgument;

    RouteTable& routes = stack_.routes();
    routes.remove_all(this, RouteOrigin::Interface);
    configured_ = false;
    NET_TRY(routes.add({Ipv4Cidr{address, *len}, {}, this, 0, RouteOrigin::Interface}));
    if (!gateway.is_unspecified()) {
        auto added = routes.add({Ipv4Cidr{}, gateway, this, 0, RouteOrigin::Interface});
        if (added.is_error()) {
            routes.remove_all(this, RouteOrigin::Interface);
            return added.error();
        }
    }
    cidr_ = cidr;
    gateway_ = gateway;
    configured_ = true;
    // RFC 5227 3: announce the address so neighbours update stale caches.
    if (link_up()) stack_.send_gratuitous_arp(*this);
    return {};
}

void Interface::clear_address() {
    stack_.routes().remove_all(this, RouteOrigin::Interface);
    configured_ = false;
    cidr_ = {};
    gateway_ = {};
}

void Interface::use_dhcp(DhcpConfig config) {
    clear_address();
    dhcp_.emplace(mac(), config);
    if (stack_.polled_) apply_dhcp(dhcp_->start(stack_.now()));
}

void Interface::apply_dhcp(const DhcpClient::Action& action) {
    switch (action.configure) {
    case DhcpClient::Action::Configure::None:
        break;
    case DhcpClient::Action::Configure::Remove:
        clear_address();
        break;
    case DhcpClient::Action::Configure::Apply: {
        // A lease that cannot be applied (a bad mask from the server) leaves the interface unconfigured.
        const StaticConfig& c = action.config;
        if (set_address(c.address, c.netmask, c.gateway).is_error()) clear_address();
        break;
    }
    }
    if (action.configure != DhcpClient::Action::Configure::None && stack_.address_handler_) {
        stack_.address_handler_(*this, dhcp_->state());
    }
    if (action.send) stack_.dhcp_send(*this, *action.send, action.send_to);
}

ErrorOr<void> Interface::set_buffer_limit(std::size_t buffers) {
    if (parent_ != nullptr) return Error::InvalidArgument;
    if (!nic_.set_rx_buffer_limit(buffers)) return Error::InvalidArgument; // 0 among others
    return {};
}

ErrorOr<void> Interface::set_send_queue_limit(std::size_t frames) {
    if (parent_ != nullptr || frames == 0) return Error::InvalidArgument;
    if (send_queue_count_ != 0) return Error::WouldBlock; // set up front, not while frames wait
    // Allocated once, here: the send path only moves pointers in and out of it.
    std::unique_ptr<PacketPtr[]> queue(new (std::nothrow_t{}) PacketPtr[frames]);
    if (!queue) return Error::NoBuffers;
    send_queue_ = std::move(queue);
    send_queue_capacity_ = frames;
    send_queue_head_ = 0;
    return {};
}

} // namespace net
