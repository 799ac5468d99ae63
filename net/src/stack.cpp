#include "net/stack.hpp"

#include "net/wire/arp.hpp"
#include "net/wire/icmp.hpp"

namespace net {

Stack::Stack(PacketPool& pool, StackConfig config)
    : pool_(pool), config_(config), reassembler_(pool, config.reassembly_timeout),
      icmp_limiter_(config.icmp_errors) {}

Stack::~Stack() {
    forget_default_stack(this);
    for (auto*& s : udp_sockets_) {
        if (s != nullptr) s->port_ = 0;
        s = nullptr;
    }
}

ErrorOr<Interface*> Stack::add_interface(Nic& nic) {
    if (count_ == max_interfaces) return Error::TableFull;
    owned_[count_].reset(new Interface(*this, nic, count_, nullptr, 0, nic_count_++, config_.arp));
    list_[count_] = owned_[count_].get();
    return list_[count_++];
}

ErrorOr<Interface*> Stack::add_vlan(Interface& parent, std::uint16_t vlan_id) {
    // IEEE 802.1Q: VID 0 means "priority tag only" and 4095 is reserved.
    if (parent.parent_ != nullptr || &parent.stack_ != this || vlan_id == 0 || vlan_id >= 4095)
        return Error::InvalidArgument;
    Interface** slot = nullptr;
    for (auto*& v : parent.vlans_) {
        if (v != nullptr && v->vlan_id_ == vlan_id) return Error::AddressInUse;
        if (v == nullptr && slot == nullptr) slot = &v;
    }
    if (slot == nullptr || count_ == max_interfaces) return Error::TableFull;
    owned_[count_].reset(new Interface(*this, parent.nic_, count_, &parent, vlan_id, 0, config_.arp));
    list_[count_] = owned_[count_].get();
    *slot = list_[count_];
    return list_[count_++];
}

ErrorOr<void> Stack::set_protocol_handler(std::uint8_t protocol, ProtocolHandler handler) {
    if (protocol == wire::ip_proto::icmp || protocol == wire::ip_proto::udp) return Error::AddressInUse;
    for (auto& [p, h] : protocol_handlers_) {
        if (h && p == protocol) {
            h = std::move(handler);
            return {};
        }
    }
    for (auto& [p, h] : protocol_handlers_) {
        if (!h) {
            p = protocol;
            h = std::move(handler);
            return {};
        }
    }
    return Error::TableFull;
}

void Stack::poll(Instant now) {
    if (now > now_ || !polled_) now_ = now;
    in_poll_ = true;
    rx_pending_ = false;
    for (std::size_t i = 0; i < count_; ++i) {
        Interface& nic_if = *list_[i];
        if (nic_if.parent_ != nullptr) continue;
        const bool up = nic_if.nic_.link_up();
        if (up != nic_if.link_up_) {
            nic_if.link_up_ = up;
            link_changed(nic_if, up);
        }
        poll_nic(nic_if);
    }
    run_timers();
    for (std::size_t i = 0; i < count_; ++i) {
        if (list_[i]->parent_ == nullptr) flush_tx(*list_[i]);
    }
    in_poll_ = false;
    polled_ = true;
}

std::optional<Instant> Stack::poll_at() const {
    if (rx_pending_) return now_;
    std::optional<Instant> next = reassembler_.next_deadline();
    auto consider = [&](std::optional<Instant> t) {
        if (t && (!next || *t < *next)) next = t;
    };
    for (std::size_t i = 0; i < count_; ++i) {
        if (list_[i]->send_queue_count_ != 0) consider(now_ + send_queue_retry);
        consider(list_[i]->arp_.next_deadline());
        if (list_[i]->dhcp_) consider(list_[i]->dhcp_->next_deadline());
    }
    return next;
}

void Stack::run_timers() {
    for (std::size_t i = 0; i < count_; ++i) {
        Interface& iface = *list_[i];
        iface.arp_.poll(
            now_,
            [&](Ipv4Address ip) { send_arp(iface, wire::arp_op::request, MacAddress::broadcast(), {}, ip); },
            [&](PacketPtr) { drop(&iface, DropReason::ArpUnresolved); });
        if (iface.dhcp_) {
            // A client set up before the first poll starts now (see Interface::use_dhcp).
            const bool idle = iface.dhcp_->state() == DhcpState::Idle;
            iface.apply_dhcp(idle ? iface.dhcp_->start(now_) : iface.dhcp_->poll(now_));
        }
    }
    const std::size_t expired = reassembler_.expire(now_, [&](std::span<std::byte> quoted) {
        auto view = wire::Ipv4View::wrap(quoted);
        // RFC 1122 3.3.2 / RFC 792: "fragment reassembly time exceeded" about the first fragment.
        if (view)
            icmp_error(*view, false, wire::icmp_type::time_exceeded, wire::time_exceeded_code::reassembly);
    });
    if (expired != 0) drop(nullptr, DropReason::ReassemblyTimeout, expired);
}

void Stack::link_changed(Interface& nic_if, bool up) {
    auto each = [&](Interface& iface) {
        if (up) {
            // Announce our address on a (re)connected link: the peers' caches may point elsewhere.
            if (iface.configured_) send_gratuitous_arp(iface);
        } else {
            iface.arp_.clear([&](PacketPtr) { drop(&iface, DropReason::LinkDown); });
        }
    };
    each(nic_if);
    for (Interface* v : nic_if.vlans_) {
        if (v != nullptr) each(*v);
    }
}

void Stack::drop(Interface* where, DropReason reason) {
    drop(where, reason, 1);
}

void Stack::drop(Interface* where, DropReason reason, std::uint64_t count) {
    const auto i = static_cast<std::size_t>(reason);
    counters_.drops[i] += count;
    if (where != nullptr) where->counters_.drops[i] += count;
}

bool Stack::is_local_address(Ipv4Address a) const {
    for (std::size_t i = 0; i < count_; ++i) {
        if (list_[i]->configured_ && list_[i]->cidr_.address == a) return true;
    }
    return false;
}

} // namespace net
