// The IPv4 stack: interfaces over NICs, ARP, IPv4 with reassembly, ICMP, UDP, routing, forwarding and filter
// hooks. Driven entirely by its owner: poll(now) receives, processes, runs due timers and transmits;
// poll_at() says when the next timer is due. Single-threaded, run to completion, no allocation per packet.
#pragma once

#include "net/counters.hpp"
#include "net/hooks.hpp"
#include "net/icmp_rate_limiter.hpp"
#include "net/inplace_function.hpp"
#include "net/interface.hpp"
#include "net/ipv4_address.hpp"
#include "net/nic.hpp"
#include "net/packet_buffer.hpp"
#include "net/reassembly.hpp"
#include "net/result.hpp"
#include "net/route_table.hpp"
#include "net/time.hpp"
#include "net/udp_socket.hpp"
#include "net/wire/dhcp.hpp"
#include "net/wire/ipv4.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

namespace net {

struct StackConfig {
    bool forwarding = false; // route datagrams between interfaces (a router); off: a host
    std::uint8_t default_ttl = 64;
    std::size_t rx_batches_per_poll = 4; // per NIC: bounds one poll() so timers and other NICs get a turn
    ArpConfig arp;
    Duration reassembly_timeout = std::chrono::seconds(30);
    IcmpRateConfig icmp_errors;
};

// Interfaces in the order they were added; references stay valid for the stack's lifetime.
class InterfaceList {
public:
    InterfaceList() = default;
    explicit InterfaceList(std::span<Interface* const> items) : items_(items) {}
    Interface& operator[](std::size_t i) const { return *items_[i]; }
    std::size_t size() const { return items_.size(); }
    bool empty() const { return items_.empty(); }
    auto begin() const { return items_.begin(); }
    auto end() const { return items_.end(); }

private:
    std::span<Interface* const> items_;
};

// Where a locally generated datagram goes.
struct RouteDecision {
    Interface* interface = nullptr;
    Ipv4Address next_hop;
    Ipv4Address source; // the outgoing interface's address (unspecified when it has none)
};

// An ICMP message received for this host, for applications (ping) and tests.
struct IcmpEvent {
    const Interface* interface = nullptr;
    Ipv4Address source;
    std::uint8_t type = 0;
    std::uint8_t code = 0;
    std::uint32_t rest_of_header = 0;
    std::span<const std::byte> data;
};

// Owned by the platform glue, which also owns the pool (it must outlive the stack) and the NICs. Callbacks
// (UDP handlers, the ICMP handler, protocol handlers) run inside poll() and may send, but must not call
// poll(). Sends made outside poll() (from an OS timer) are handed to the NIC at once and use the time of the
// last poll.
class Stack {
public:
    static constexpr std::size_t max_interfaces = 32;
    static constexpr std::size_t max_udp_sockets = 64;
    static constexpr std::size_t max_protocol_handlers = 4;
    // How soon poll() retries frames waiting in a send queue (the NICs signal no transmit completions).
    static constexpr Duration send_queue_retry = std::chrono::microseconds(50);

    using IcmpHandler = InplaceFunction<void(const IcmpEvent&)>;
    // An interface's address changed by DHCP (a lease bound or renewed with other values, the fallback
    // applied, the lease lost): the interface, and the client's state after the change.
    using AddressHandler = InplaceFunction<void(Interface&, DhcpState)>;
    // Takes a datagram for this host (data() at its IPv4 header, reassembled, Input hook passed).
    using ProtocolHandler = InplaceFunction<void(Interface& in, PacketPtr datagram)>;

    explicit Stack(PacketPool& pool, StackConfig config = {});
    ~Stack();
    Stack(const Stack&) = delete;
    Stack& operator=(const Stack&) = delete;

    // Registers a started NIC (the platform does this at boot, in NIC order; the interface keeps its MAC and
    // MTU from now on, see os::Nic). TableFull past max_interfaces.
    ErrorOr<Interface*> add_interface(Nic& nic);
    // An 802.1Q sub-interface (vlan_id 1..4094) of a NIC's interface.
    ErrorOr<Interface*> add_vlan(Interface& parent, std::uint16_t vlan_id);
    InterfaceList interfaces() const {
        return InterfaceList{std::span<Interface* const>(list_.data(), count_)};
    }

    // Receives up to rx_batches_per_poll batches from every NIC, processes them, runs due timers (ARP,
    // reassembly, DHCP) and hands what is to be sent to the NICs. `now` must not go backwards.
    void poll(Instant now);
    // When poll() must run next even if no packet arrives: a timer's deadline, or `now` when a NIC had more
    // frames than one poll takes. nullopt: only a received frame can give it work.
    std::optional<Instant> poll_at() const;
    Instant now() const { return now_; }

    RouteTable& routes() { return routes_; }
    const RouteTable& routes() const { return routes_; }
    Hooks& hooks() { return hooks_; }
    void set_forwarding(bool on) { config_.forwarding = on; }
    bool forwarding() const { return config_.forwarding; }
    const StackConfig& config() const { return config_; }
    const StackCounters& counters() const { return counters_; }
    PacketPool& pool() { return pool_; }

    void on_icmp(IcmpHandler handler) { icmp_handler_ = std::move(handler); }
    void on_address_change(AddressHandler handler) { address_handler_ = std::move(handler); }
    ErrorOr<void> set_protocol_handler(std::uint8_t protocol, ProtocolHandler handler);

    // Route selection for locally generated datagrams; `via` forces the interface (limited broadcast, DHCP).
    ErrorOr<RouteDecision> route_to(Ipv4Address dst, Interface* via = nullptr) const;
    // Sends a datagram whose transport message is already at packet->data(): prepends the IPv4 header from
    // `ip` (payload_len is taken from the packet), runs the Output and Postrouting hooks and resolves the
    // next hop. Errors: NoBuffers (no headroom), MessageTooLong (above the MTU), Filtered, LinkDown.
    ErrorOr<void> send_ipv4(PacketPtr packet, wire::Ipv4Repr ip, const RouteDecision& route);
    // RFC 792 echo request, e.g. for a ping tool or a health check.
    ErrorOr<void> send_echo_request(Ipv4Address dst, std::uint16_t id, std::uint16_t seq,
                                    std::span<const std::byte> payload = {});

    // Whether `a` is one of this host's interface addresses.
    bool is_local_address(Ipv4Address a) const;
    // Whether a datagram may be answered with an ICMP error or a TCP reset: not one sent to a link-layer or
    // IP broadcast or multicast, and from one host (RFC 1122 3.2.2, RFC 1812 4.3.2.7). (Non-first fragments
    // and ICMP errors are the caller's to rule out.)
    bool may_answer(const wire::Ipv4View& ip, bool l2_broadcast) const;

private:
    friend class Interface;
    friend class UdpSocket;

    // Receive path.
    void poll_nic(Interface& nic_if);
    void ethernet_input(Interface& nic_if, PacketPtr frame);
    void arp_input(Interface& in, PacketPtr packet);
    void ipv4_input(Interface& in, PacketPtr packet, bool l2_broadcast);
    bool is_for_us(const Interface& in, const wire::Ipv4View& ip) const;
    // Runs a hook; on Drop or Reject counts the drop at `where` (and for Reject sends the ICMP error).
    bool filter(HookPoint point, PacketInfo& info, Interface* where, bool l2_broadcast);
    void deliver(Interface& in, PacketPtr packet, PacketInfo& info, bool l2_broadcast);
    void forward(Interface& in, PacketPtr packet, PacketInfo& info, bool l2_broadcast);
    void icmp_input(Interface& in, PacketPtr packet, const wire::Ipv4View& ip, bool l2_broadcast);
    void udp_input(Interface& in, PacketPtr packet, const wire::Ipv4View& ip, bool l2_broadcast);
    // No TCP endpoint runs here: a reset for every segment but a reset (RFC 9293 3.10.7.1).
    void tcp_input(Interface& in, PacketPtr packet, const wire::Ipv4View& ip, bool l2_broadcast);
    // The transport header (wire::UdpView, wire::TcpView) of a datagram for this host, checked; nullopt
    // after counting the drop: Truncated (shorter than min_len), BadLength, BadChecksum. A NIC that checked
    // the checksum says so (virtio-net DATA_VALID, AF_PACKET CSUM_VALID); reassembled datagrams are in a
    // fresh buffer and always checked here.
    template <typename View>
    std::optional<View> transport_header(Interface& in, const PacketBuffer& datagram,
                                         const wire::Ipv4View& ip, std::size_t min_len) {
        auto view = View::parse(ip.payload());
        if (!view) {
            drop(&in, ip.payload().size() < min_len ? DropReason::Truncated : DropReason::BadLength);
            return std::nullopt;
        }
        if (!datagram.checksum_verified() && !view->verify_checksum(ip.src(), ip.dst())) {
            drop(&in, DropReason::BadChecksum);
            return std::nullopt;
        }
        return view;
    }

    // ICMP errors about `offending` (its header and first bytes are quoted), rate-limited (RFC 1812 4.3.2.8).
    void icmp_error(const wire::Ipv4View& offending, bool l2_broadcast, std::uint8_t type, std::uint8_t code,
                    std::uint32_t rest = 0);

    // Send path.
    ErrorOr<void> neighbour_output(Interface& out, Ipv4Address next_hop, PacketPtr packet);
    void link_output(Interface& out, MacAddress dst, std::uint16_t ethertype, PacketPtr packet);
    void flush_tx(Interface& nic_if);
    void drain_send_queue(Interface& nic_if);
    void send_arp(Interface& out, std::uint16_t op, MacAddress dst_mac, MacAddress target_mac,
                  Ipv4Address target_ip);
    void send_gratuitous_arp(Interface& out);
    void dhcp_send(Interface& out, const wire::DhcpRepr& message, Ipv4Address dst);
    void flush_arp_queue(Interface& out);

    // Timers.
    void run_timers();
    void link_changed(Interface& nic_if, bool up);

    // UDP socket table.
    ErrorOr<void> udp_bind(UdpSocket& socket, std::uint16_t port, Ipv4Address address);
    void udp_unbind(UdpSocket& socket);
    UdpSocket* udp_lookup(std::uint16_t port, Ipv4Address dst) const;
    ErrorOr<void> udp_send(UdpSocket& socket, UdpEndpoint dst, std::span<const std::byte> payload,
                           Interface* via);

    void drop(Interface* where, DropReason reason);
    void drop(Interface* where, DropReason reason, std::uint64_t count);

    PacketPool& pool_;
    StackConfig config_;
    Instant now_{};
    bool in_poll_ = false;
    bool polled_ = false; // now_ is meaningful only after the first poll()
    bool rx_pending_ = false;
    std::uint16_t next_ip_id_ = 1;
    std::uint16_t next_ephemeral_ = 49152;
    std::size_t nic_count_ = 0;

    std::array<std::unique_ptr<Interface>, max_interfaces> owned_{};
    std::array<Interface*, max_interfaces> list_{};
    std::size_t count_ = 0;

    RouteTable routes_;
    Hooks hooks_;
    Reassembler reassembler_;
    IcmpRateLimiter icmp_limiter_;
    StackCounters counters_;
    IcmpHandler icmp_handler_;
    AddressHandler address_handler_;
    std::array<std::pair<std::uint8_t, ProtocolHandler>, max_protocol_handlers> protocol_handlers_{};
    std::array<UdpSocket*, max_udp_sockets> udp_sockets_{};
    PacketBatch rx_batch_;
};

// The stack application code reaches (`net::interfaces()[0].configure(...)`). Two definitions exist, one per
// library: in the platform builds (image, linux: net/platform/default_stack.cpp) the first call creates the
// stack over os::nics() and drives it from the event loop; in the host library the tests link
// (src/default_stack.cpp) it is whatever set_default_stack() installed.
void set_default_stack(Stack* stack);
Stack* default_stack();
// Interfaces of the default stack (empty when there is none).
InterfaceList interfaces();
// Called by ~Stack: unsets the default stack if it is `stack`.
void forget_default_stack(const Stack* stack);

} // namespace net
