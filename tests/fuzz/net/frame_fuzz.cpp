// Feeds frames into a stack set up as a router with a VLAN, UDP sockets and a DHCP client, with time moving
// between them. Input: records of [control][length][bytes]:
//   control bits 0-1: the NIC (0 or 1); bit 2: advance time by length * 50 ms first;
//   bits 3-5: 0 = the bytes are the frame, 1-7 = a valid frame of that kind with the bytes laid over it
//   (bytes[0] is the offset, the rest overwrite from there); bit 6: cut the frame at bytes[0].
// At the end all timers run out and every packet buffer must be back in the pool.
#include "net/stack.hpp"
#include "net/testing/fake_nic.hpp"
#include "net/testing/frames.hpp"
#include "net/wire/bytes.hpp"
#include "net/wire/dhcp.hpp"
#include "net/wire/ethernet.hpp"
#include "net/wire/icmp.hpp"
#include "net/wire/udp.hpp"

#include <chrono>
#include <cstdint>
#include <cstdlib>

using namespace net;
using namespace std::chrono_literals;
using testing::Bytes;

namespace {

constexpr MacAddress mac0{{0x02, 0, 0, 0, 0, 1}}, mac1{{0x02, 0, 0, 0, 0, 2}}, peer{{0x02, 0, 0, 0, 0, 9}};
const Ipv4Address ip0{10, 0, 0, 1}, ip_peer{10, 0, 0, 2}, ip_vlan{10, 0, 5, 1}, ip_far{10, 0, 9, 9};

// The DHCP transaction id the client last used on NIC 1, so DHCP replies can be well formed.
std::uint32_t last_xid = 0;

void observe(testing::FakeNic& nic) {
    for (auto& p : nic.sent()) {
        auto eth = wire::EthernetView::parse(p->data());
        if (!eth || eth->ethertype() != wire::ethertype::ipv4) continue;
        auto ip = wire::Ipv4View::parse(eth->payload()).view;
        if (!ip || ip->protocol() != wire::ip_proto::udp) continue;
        auto udp = wire::UdpView::parse(ip->payload());
        if (!udp || udp->dst_port() != wire::dhcp_port::server) continue;
        if (auto d = wire::DhcpView::parse(udp->payload())) last_xid = d->xid();
    }
    nic.sent().clear();
}

Bytes fragment(std::size_t offset, bool more) {
    wire::Ipv4Repr ip;
    ip.src = ip_peer;
    ip.dst = ip0;
    ip.protocol = wire::ip_proto::udp;
    ip.identification = 42;
    Bytes b = testing::ipv4(ip, Bytes(16, std::byte{1}));
    wire::put16(b, 6, static_cast<std::uint16_t>((more ? 0x2000 : 0) | offset / 8));
    wire::Ipv4View::wrap(b)->fill_checksum();
    return testing::ethernet(mac0, peer, wire::ethertype::ipv4, b);
}

Bytes dhcp_reply(std::uint8_t type) {
    wire::DhcpRepr m;
    m.op = 2;
    m.message_type = type;
    m.xid = last_xid;
    m.client_mac = mac1;
    m.yiaddr = {10, 0, 1, 50};
    m.server_id = Ipv4Address{10, 0, 1, 1};
    m.subnet_mask = Ipv4Address{255, 255, 255, 0};
    m.router = Ipv4Address{10, 0, 1, 1};
    m.lease_time = 60;
    Bytes b(wire::DhcpRepr::max_emit_len);
    b.resize(m.emit(b));
    return testing::udp_frame(MacAddress::broadcast(), peer, {10, 0, 1, 1}, Ipv4Address::broadcast(),
                              wire::dhcp_port::server, wire::dhcp_port::client, b);
}

Bytes template_frame(unsigned kind, std::uint8_t hint) {
    switch (kind) {
    case 1:
        return testing::udp_frame(mac0, peer, ip_peer, ip0, 1000, 7, Bytes(16, std::byte{2}));
    case 2:
        return testing::udp_frame(mac0, peer, ip_peer, ip_far, 1000, 7, Bytes(16), 2);
    case 3:
        return testing::echo_frame(mac0, peer, ip_peer, ip0, 1, 1);
    case 4:
        return testing::ethernet(
            MacAddress::broadcast(), peer, wire::ethertype::arp,
            testing::arp({static_cast<std::uint16_t>(1 + (hint & 1)), peer, ip_peer, mac0, ip0}));
    case 5:
        return fragment((hint & 3) * 8, (hint & 4) == 0);
    case 6: {
        Bytes e = testing::echo_frame(mac0, peer, {10, 0, 5, 2}, ip_vlan, 1, 1);
        return testing::vlan_ethernet(mac0, peer, 5, wire::ethertype::ipv4, Bytes(e.begin() + 14, e.end()));
    }
    default:
        return dhcp_reply(static_cast<std::uint8_t>(1 + hint % 7));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* raw, std::size_t size) {
    static PacketPool pool(256);
    Bytes data(size);
    for (std::size_t i = 0; i < size; ++i)
        data[i] = std::byte{raw[i]};
    testing::FakeNic nic0(pool, mac0), nic1(pool, mac1);
    {
        StackConfig config;
        config.forwarding = true;
        config.icmp_errors = {1000, 1000};
        Stack stack(pool, config);
        Interface* eth0 = stack.add_interface(nic0).value();
        Interface* eth1 = stack.add_interface(nic1).value();
        Interface* vlan = stack.add_vlan(*eth0, 5).value();
        (void)eth0->configure(ip0, {255, 255, 255, 0});
        (void)vlan->configure(ip_vlan, {255, 255, 255, 0});
        (void)stack.routes().add({{{10, 0, 9, 0}, 24}, {10, 0, 0, 254}, eth0, 0});
        eth1->use_dhcp(
            DhcpConfig{.timeout = 20s, .fallback = StaticConfig{{10, 0, 1, 9}, {255, 255, 255, 0}, {}}});
        UdpSocket echo(stack);
        (void)echo.bind(7);
        echo.on_receive([&](const UdpDatagram& d) { (void)echo.send_to(d.source, d.payload); });

        Instant now{};
        std::size_t pos = 0;
        while (pos + 2 <= size) {
            const auto control = std::to_integer<std::uint8_t>(data[pos]);
            const std::size_t len =
                std::min<std::size_t>(std::to_integer<std::size_t>(data[pos + 1]), size - pos - 2);
            const std::byte* bytes = data.data() + pos + 2;
            pos += 2 + len;
            if (control & 0x04) now += std::chrono::milliseconds(50) * static_cast<int>(len);

            testing::FakeNic& nic = (control & 0x01) ? nic1 : nic0;
            Bytes frame;
            const unsigned kind = (control >> 3) & 0x7;
            if (kind == 0) {
                frame.assign(bytes, bytes + len);
            } else {
                frame = template_frame(kind, len > 0 ? static_cast<std::uint8_t>(bytes[0]) : 0);
                if (len > 0 && !frame.empty()) {
                    const std::size_t at = std::to_integer<std::size_t>(bytes[0]) % frame.size();
                    for (std::size_t i = 1; i < len && at + i - 1 < frame.size(); ++i)
                        frame[at + i - 1] = bytes[i];
                    if (control & 0x40) frame.resize(at);
                }
            }
            (void)nic.inject(frame);
            stack.poll(now);
            observe(nic0);
            observe(nic1);
        }
        // Run every timer out: ARP retries, reassembly, DHCP (its lease timers are bounded by the fallback).
        for (int i = 0; i < 64; ++i) {
            auto t = stack.poll_at();
            if (!t || *t > now + 3600s) break;
            now = *t > now ? *t : now + 1ms;
            stack.poll(now);
            observe(nic0);
            observe(nic1);
        }
    }
    nic0.sent().clear();
    nic1.sent().clear();
    // With the stack gone, every buffer must be back: anything else is a leak in the stack.
    if (pool.available() != pool.count()) std::abort();
    return 0;
}
