// Shared fixtures for the net/ unit tests: hosts made of a fake NIC and a stack, and frame inspection.
#pragma once

#include "net/stack.hpp"
#include "net/testing/fake_nic.hpp"
#include "net/testing/frames.hpp"
#include "net/wire/arp.hpp"
#include "net/wire/ethernet.hpp"
#include "net/wire/icmp.hpp"
#include "net/wire/tcp.hpp"
#include "net/wire/udp.hpp"

#include <chrono>
#include <optional>
#include <vector>

namespace net::test {

using namespace std::chrono_literals;
using testing::Bytes;

inline constexpr MacAddress mac_of(std::uint8_t n) {
    return {{0x02, 0x00, 0x00, 0x00, 0x00, n}};
}
inline Instant at(Duration d) {
    return Instant{} + d;
}
inline StackConfig router_config() {
    StackConfig c;
    c.forwarding = true;
    return c;
}

// A received frame taken apart (copies, so it outlives the buffer).
struct Frame {
    Bytes bytes;
    wire::EthernetRepr eth;
    std::uint16_t vlan_id = 0;
    Bytes l3; // bytes after the link header

    static Frame parse(const Bytes& b) {
        Frame f;
        f.bytes = b;
        auto eth = wire::EthernetView::parse(f.bytes);
        f.eth = wire::EthernetRepr::parse(*eth);
        std::span<std::byte> rest = eth->payload();
        if (f.eth.ethertype == wire::ethertype::vlan) {
            auto tag = wire::VlanView::parse(rest);
            f.vlan_id = tag->vlan_id();
            f.eth.ethertype = tag->ethertype();
            rest = tag->payload();
        }
        f.l3.assign(rest.begin(), rest.end());
        return f;
    }
    std::optional<wire::ArpRepr> arp() {
        if (eth.ethertype != wire::ethertype::arp) return std::nullopt;
        auto v = wire::ArpView::parse(l3);
        return v ? wire::ArpRepr::parse(*v) : std::nullopt;
    }
    std::optional<wire::Ipv4View> ip() {
        if (eth.ethertype != wire::ethertype::ipv4) return std::nullopt;
        return wire::Ipv4View::parse(l3).view;
    }
    std::optional<wire::IcmpView> icmp() {
        auto v = ip();
        if (!v || v->protocol() != wire::ip_proto::icmp) return std::nullopt;
        return wire::IcmpView::parse(v->payload());
    }
    std::optional<wire::UdpView> udp() {
        auto v = ip();
        if (!v || v->protocol() != wire::ip_proto::udp) return std::nullopt;
        return wire::UdpView::parse(v->payload());
    }
    std::optional<wire::TcpView> tcp() {
        auto v = ip();
        if (!v || v->protocol() != wire::ip_proto::tcp) return std::nullopt;
        return wire::TcpView::parse(v->payload());
    }
};

inline std::vector<Frame> frames_of(testing::FakeNic& nic) {
    std::vector<Frame> out;
    for (auto& b : nic.take_sent())
        out.push_back(Frame::parse(b));
    return out;
}

// One NIC, one stack, configured as 10.0.0.1/24 unless told otherwise.
struct Host {
    explicit Host(PacketPool& pool, std::uint8_t mac_n = 1, StackConfig config = {})
        : nic(pool, mac_of(mac_n)), stack(pool, config) {
        iface = stack.add_interface(nic).value();
    }
    void poll(Duration t) { stack.poll(at(t)); }

    testing::FakeNic nic;
    Stack stack;
    Interface* iface = nullptr;
};

} // namespace net::test
