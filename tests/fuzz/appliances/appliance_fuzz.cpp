// Feeds frames into an appliance brought up by appliance::run() on a two-NIC stack (lan: eth0, wan: eth1,
// masquerading), with time moving and the platform's timers firing between them. Input: records of
// [control][length][bytes]:
//   bit 0: the NIC (lan or wan); bit 1: advance time by length * 100 ms first (and fire the timers);
//   bits 2-4: 0 = the bytes are the frame, 1-7 = a valid frame of that kind with the bytes laid over it
//   (bytes[0] is the offset, the rest overwrite from there); bit 5: cut the frame at bytes[0];
//   bit 6 of the first record's control: stateful TCP.
// At the end time runs out, the appliance is stopped, and every packet buffer must be back in the pool.
#include "appliance/appliance.hpp"

#include "net/stack.hpp"
#include "net/testing/fake_nic.hpp"
#include "net/testing/frames.hpp"
#include "net/wire/ethernet.hpp"
#include "net/wire/tcp.hpp"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>

using namespace net;
using namespace std::chrono_literals;
using testing::Bytes;

namespace {

constexpr MacAddress lan_mac{{2, 0, 0, 0, 0, 0x10}}, wan_mac{{2, 0, 0, 0, 0, 0x11}}, peer{{2, 0, 0, 0, 0, 9}};
const Ipv4Address lan_ip{10, 0, 1, 1}, wan_ip{203, 0, 113, 2}, client{10, 0, 1, 2}, server{203, 0, 113, 10};

class Platform final : public appliance::Platform {
public:
    void print(std::string_view) override {}
    std::optional<std::int64_t> wall_clock_ns() override { return 1'800'000'000'000'000'000; }
    std::optional<std::int64_t> monotonic_ns() override { return std::nullopt; }
    TimerId start_periodic(std::uint32_t seconds, TimerFunction f, void* c) override {
        if (count_ < 8) timers_[count_++] = {seconds, f, c, true};
        return static_cast<TimerId>(count_);
    }
    void stop(TimerId id) override {
        const auto i = static_cast<std::size_t>(id);
        if (i >= 1 && i <= count_) timers_[i - 1].active = false;
    }
    std::optional<appliance::MemoryFigures> memory() override { return std::nullopt; }
    std::optional<appliance::LoopFigures> loop() override { return appliance::LoopFigures{10, 5}; }
    std::optional<std::size_t> active_timers() override { return count_; }
    std::uint64_t random_seed() override { return 1; }
    void fire_all() {
        for (std::size_t i = 0; i < count_; ++i) {
            if (timers_[i].active) timers_[i].f(timers_[i].c);
        }
    }

private:
    struct Timer {
        std::uint32_t seconds;
        TimerFunction f;
        void* c;
        bool active;
    };
    Timer timers_[8]{};
    std::size_t count_ = 0;
};

const appliance::RuleInfo rules[] = {{"nat", 1, 1}, {"fw", 2, 1}, {"fw", 3, 1}, {"fw", 4, 1}, {"fw", 5, 1}};

appliance::Decision wan_prerouting(appliance::RulePacket& p, appliance::ActionSink& a) {
    if (p.protocol == 6 && p.dport == 8080) {
        a.nat(p, 0, appliance::NatKind::Dnat, true, client.value, true, 80);
        return {appliance::Verdict::Accept, 0};
    }
    if (p.protocol == 17 && p.dport == 5353) {
        a.nat(p, 0, appliance::NatKind::Dnat, false, 0, true, 53);
        return {appliance::Verdict::Accept, 0};
    }
    return {appliance::Verdict::Accept, appliance::rule_none};
}

appliance::Decision lan_postrouting(appliance::RulePacket& p, appliance::ActionSink& a) {
    if (p.protocol == 17 && p.sport == 123)
        a.nat(p, 1, appliance::NatKind::Snat, true, lan_ip.value, true, 1123);
    return {appliance::Verdict::Accept, appliance::rule_none};
}

appliance::Decision forward(appliance::RulePacket& p, appliance::ActionSink& a) {
    static constexpr appliance::LogArg args[] = {{"x ", {}},
                                                 {nullptr, appliance::FieldId::IpSaddr},
                                                 {nullptr, appliance::FieldId::TcpFlags},
                                                 {nullptr, appliance::FieldId::CtState},
                                                 {nullptr, appliance::FieldId::Iif},
                                                 {nullptr, appliance::FieldId::IcmpSequence},
                                                 {nullptr, appliance::FieldId::TcpWindow}};
    if (p.ct == appliance::CtState::Invalid) {
        a.log(p, 1, args);
        return {appliance::Verdict::Drop, 1};
    }
    if (p.protocol == 6 && p.dport == 23) return {appliance::Verdict::Reject, 2};
    if (p.protocol == 17 && p.dport == 9) {
        a.syslog(p, 3, appliance::Severity::Notice, args);
        return {appliance::Verdict::Reject, 3};
    }
    return {appliance::Verdict::Accept, 4};
}

appliance::Decision output(appliance::RulePacket& p, appliance::ActionSink& a) {
    static constexpr appliance::LogArg args[] = {{"out ", {}}, {nullptr, appliance::FieldId::IpDaddr}};
    a.syslog(p, 3, appliance::Severity::Debug, args); // the appliance's own syslog datagrams pass here too
    return {appliance::Verdict::Accept, 4};
}

Bytes ip_frame(MacAddress dst_mac, Bytes datagram) {
    return testing::ethernet(dst_mac, peer, wire::ethertype::ipv4, datagram);
}

Bytes tcp_frame(MacAddress dst_mac, Ipv4Address s, Ipv4Address d, std::uint16_t sp, std::uint16_t dp,
                std::uint8_t flags) {
    Bytes t(20);
    (void)wire::TcpRepr{sp, dp, 1000, 2000, flags, 512}.emit(t, s, d);
    wire::Ipv4Repr r;
    r.src = s;
    r.dst = d;
    r.protocol = wire::ip_proto::tcp;
    return ip_frame(dst_mac, testing::ipv4(r, t));
}

Bytes template_frame(unsigned kind, std::uint8_t hint) {
    const Bytes payload(16, std::byte{7});
    switch (kind) {
    case 1:
        return tcp_frame(lan_mac, client, server, static_cast<std::uint16_t>(4000 + (hint & 3)), 80,
                         static_cast<std::uint8_t>(hint & 0x3f));
    case 2:
        return tcp_frame(wan_mac, server, wan_ip, 80, static_cast<std::uint16_t>(4000 + (hint & 3)),
                         static_cast<std::uint8_t>(hint & 0x3f));
    case 3:
        return testing::udp_frame(lan_mac, peer, client, server,
                                  static_cast<std::uint16_t>(hint % 4 == 0 ? 123 : 5000), hint & 1 ? 9 : 53,
                                  payload, static_cast<std::uint8_t>(1 + hint % 3));
    case 4:
        return testing::udp_frame(wan_mac, peer, server, wan_ip, 53, hint & 1 ? 5353 : 5000, payload);
    case 5:
        return testing::echo_frame(hint & 1 ? wan_mac : lan_mac, peer, hint & 1 ? server : client,
                                   hint & 2 ? (hint & 1 ? wan_ip : lan_ip) : (hint & 1 ? client : server), 7,
                                   1);
    case 6: {
        // An ICMP error from the server quoting a masqueraded datagram.
        Bytes quoted = testing::ipv4({wan_ip, server, wire::ip_proto::udp, 64, 0, 0, false, 0},
                                     testing::udp(wan_ip, server, 5000, 53, payload));
        Bytes icmp = testing::icmp(3, 3, 0, quoted);
        wire::Ipv4Repr r;
        r.src = server;
        r.dst = wan_ip;
        r.protocol = wire::ip_proto::icmp;
        return ip_frame(wan_mac, testing::ipv4(r, icmp));
    }
    default: {
        // A fragment of a UDP datagram from the client.
        wire::Ipv4Repr r;
        r.src = client;
        r.dst = server;
        r.protocol = wire::ip_proto::udp;
        r.identification = 99;
        Bytes d = testing::ipv4(r, testing::udp(client, server, 5001, 53, Bytes(40, std::byte{1})));
        wire::put16(d, 6, static_cast<std::uint16_t>((hint & 1 ? 0x2000 : 0) | (hint & 2 ? 3 : 0)));
        wire::Ipv4View::wrap(d)->fill_checksum();
        return ip_frame(lan_mac, d);
    }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* raw, std::size_t size) {
    static PacketPool pool(512);
    Platform platform;
    appliance::set_platform(&platform);
    testing::FakeNic lan(pool, lan_mac), wan(pool, wan_mac);
    {
        Stack stack(pool);
        (void)stack.add_interface(lan);
        (void)stack.add_interface(wan);
        net::set_default_stack(&stack);
        const appliance::IfaceConfig ifaces[] = {
            {.name = "lan",
             .nic_index = 0,
             .address = lan_ip.value,
             .netmask = 0xffffff00u,
             .mtu = 600,
             .conntrack = true,
             .forwarding = true},
            {.name = "wan",
             .nic_index = 1,
             .address = wan_ip.value,
             .netmask = 0xffffff00u,
             .masquerade = true,
             .conntrack = true,
             .forwarding = true},
        };
        const appliance::ChainConfig chains[] = {{appliance::Hook::Prerouting, 1, &wan_prerouting},
                                                 {appliance::Hook::Postrouting, 0, &lan_postrouting},
                                                 {appliance::Hook::Output, 1, &output},
                                                 {appliance::Hook::Forward, appliance::no_iface, &forward}};
        const appliance::TimerConfig timers[] = {{"t", 1, 0x7f}};
        appliance::Config config;
        config.ifaces = ifaces;
        config.gateway = true;
        config.send_time_exceeded = size > 0 && (raw[0] & 0x80) != 0;
        config.chains = chains;
        config.conntrack.limit = 16;
        config.conntrack.stateful_tcp = size > 0 && (raw[0] & 0x40) != 0;
        config.syslog = {true, server.value, 514};
        config.timers = timers;
        config.rules = rules;
        config.source_file = "fuzz.nacl";
        if (appliance::run(config) != 0) std::abort();

        Instant now = instant_from_ns(1'000'000'000);
        std::size_t pos = 0;
        while (pos + 2 <= size) {
            const std::uint8_t control = raw[pos];
            const std::size_t len = std::min<std::size_t>(raw[pos + 1], size - pos - 2);
            const std::uint8_t* bytes = raw + pos + 2;
            pos += 2 + len;
            if (control & 0x02) {
                now += std::chrono::milliseconds(100) * static_cast<int>(len);
                stack.poll(now);
                platform.fire_all();
            }
            testing::FakeNic& nic = (control & 0x01) ? wan : lan;
            Bytes frame;
            const unsigned kind = (control >> 2) & 0x7;
            if (kind == 0) {
                frame.resize(len);
                for (std::size_t i = 0; i < len; ++i)
                    frame[i] = std::byte{bytes[i]};
            } else {
                frame = template_frame(kind, len > 0 ? bytes[0] : 0);
                if (len > 0 && !frame.empty()) {
                    const std::size_t at = bytes[0] % frame.size();
                    for (std::size_t i = 1; i < len && at + i - 1 < frame.size(); ++i)
                        frame[at + i - 1] = std::byte{bytes[i]};
                    if (control & 0x20) frame.resize(at);
                }
            }
            (void)nic.inject(frame);
            stack.poll(now);
            lan.sent().clear();
            wan.sent().clear();
        }
        platform.fire_all(); // statistics (and their syslog datagrams) once more
        // Every connection times out (the longest timeout is 5 days) and housekeeping expires them all.
        now += std::chrono::hours(200);
        stack.poll(now);
        appliance::current()->housekeeping();
        if (appliance::current()->conntrack_table()->size() != 0) std::abort();
        appliance::stop();
        net::set_default_stack(nullptr);
    }
    appliance::set_platform(nullptr);
    lan.sent().clear();
    wan.sent().clear();
    if (pool.available() != pool.count()) std::abort();
    return 0;
}
