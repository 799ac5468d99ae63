// A network interface: a NIC, or an 802.1Q VLAN on a NIC, with its IPv4 configuration, ARP cache,
// optional DHCP client and counters.
#pragma once

#include "net/arp_cache.hpp"
#include "net/counters.hpp"
#include "net/dhcp_client.hpp"
#include "net/ipv4_address.hpp"
#include "net/nic.hpp"
#include "net/packet_buffer.hpp"
#include "net/result.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

namespace net {

class Stack;

class Interface {
public:
    static constexpr std::size_t max_vlans = 16;

    Interface(const Interface&) = delete;
    Interface& operator=(const Interface&) = delete;

    // Position in Stack::interfaces() (the order interfaces were added).
    std::size_t index() const { return index_; }
    // "eth<N>" for a NIC (N counts NICs), "eth<N>.<vid>" for a VLAN.
    const char* name() const { return name_.data(); }
    // The NIC's, read once (os::Nic: fixed for the NIC's life): the packet path asks for them per packet.
    MacAddress mac() const { return mac_; }
    std::uint16_t mtu() const { return mtu_; }
    // The link as the stack last polled it (a VLAN: its NIC's), so that every packet between two polls sees
    // the state whose change the stack has acted on (announcing the address, dropping what waits for ARP).
    bool link_up() const { return parent_ != nullptr ? parent_->link_up_ : link_up_; }
    std::uint16_t vlan_id() const { return vlan_id_; } // 0: untagged
    Interface* parent() const { return parent_; }      // the NIC's interface for a VLAN

    // Static configuration: the address and mask, a connected route and, when `gateway` is set, a default
    // route through it (replacing the routes of an earlier configuration). Stops DHCP. Sends a gratuitous
    // ARP when the link is up. InvalidArgument for a non-unicast address, a non-contiguous mask or a
    // gateway outside the subnet; TableFull when the routing table is full.
    ErrorOr<void> configure(Ipv4Address address, Ipv4Address netmask, Ipv4Address gateway = {});
    ErrorOr<void> configure(const StaticConfig& config) {
        return configure(config.address, config.netmask, config.gateway);
    }
    // Removes the address and the interface's routes. Stops DHCP.
    void deconfigure();
    // Starts DHCP (RFC 2131); the interface configures itself when a lease is bound, and applies
    // config.fallback if none is bound within config.timeout. Before the stack's first poll() the start waits
    // for it, so the timers count from the platform's clock.
    void use_dhcp(DhcpConfig config = {});

    // NIC interfaces only (InvalidArgument on a VLAN, and for 0).
    // The receive buffers the NIC may hold from the shared pool at once (os::Nic::set_rx_buffer_limit).
    ErrorOr<void> set_buffer_limit(std::size_t buffers);
    // Frames the NIC refused (its transmit ring full) wait in a queue of this many, oldest first, and go out
    // as the ring drains; beyond it they are dropped as TxQueueFull. Without a limit nothing waits: a
    // refused frame is dropped at once. NoBuffers when the queue cannot be allocated.
    ErrorOr<void> set_send_queue_limit(std::size_t frames);
    std::size_t send_queue_limit() const { return send_queue_capacity_; }
    std::size_t send_queue_length() const { return send_queue_count_; }

    bool is_configured() const { return configured_; }
    Ipv4Address address() const { return cidr_.address; }
    Ipv4Address netmask() const { return cidr_.netmask(); }
    Ipv4Address gateway() const { return gateway_; }
    Ipv4Cidr cidr() const { return cidr_; }
    const DhcpClient* dhcp() const { return dhcp_ ? &*dhcp_ : nullptr; }

    const InterfaceCounters& counters() const { return counters_; }
    const ArpCache& arp() const { return arp_; }
    Stack& stack() const { return stack_; }

private:
    friend class Stack;
    Interface(Stack& stack, Nic& nic, std::size_t index, Interface* parent, std::uint16_t vlan_id,
              std::size_t nic_number, const ArpConfig& arp);

    void apply_dhcp(const DhcpClient::Action& action);
    // configure()/deconfigure() without stopping DHCP: how the DHCP client applies its leases.
    ErrorOr<void> set_address(Ipv4Address address, Ipv4Address netmask, Ipv4Address gateway);
    void clear_address();
    Interface& physical() { return parent_ != nullptr ? *parent_ : *this; }

    Stack& stack_;
    Nic& nic_;
    std::size_t index_;
    Interface* parent_;
    std::uint16_t vlan_id_;
    std::array<char, 24> name_{};

    bool configured_ = false;
    Ipv4Cidr cidr_;
    Ipv4Address gateway_;
    ArpCache arp_;
    std::optional<DhcpClient> dhcp_;
    InterfaceCounters counters_;

    // NIC interfaces only.
    PacketBatch tx_;
    // The send queue: a ring of send_queue_capacity_ frames, send_queue_count_ of them waiting from
    // send_queue_head_ on.
    std::unique_ptr<PacketPtr[]> send_queue_;
    std::size_t send_queue_capacity_ = 0;
    std::size_t send_queue_head_ = 0;
    std::size_t send_queue_count_ = 0;
    MacAddress mac_;
    std::uint16_t mtu_ = 0;
    bool link_up_ = false; // NIC interfaces: as of the last poll
    std::array<Interface*, max_vlans> vlans_{};
};

} // namespace net
