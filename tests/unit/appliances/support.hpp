// Shared helpers of the appliances/ tests: datagrams built with net/wire's reprs, checksum verification
// from scratch (never incrementally, so the NAT's RFC 1624 updates are checked against RFC 1071), and a
// platform whose console, clock and timers the test controls.
#pragma once

#include "appliance/platform.hpp"

#include "net/ipv4_address.hpp"
#include "net/testing/frames.hpp"
#include "net/time.hpp"
#include "net/wire/checksum.hpp"
#include "net/wire/icmp.hpp"
#include "net/wire/ipv4.hpp"
#include "net/wire/tcp.hpp"
#include "net/wire/udp.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace appliance::test {

using Bytes = std::vector<std::byte>;
using namespace std::chrono_literals;

inline constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10;

inline net::Ipv4Address ip(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return net::Ipv4Address{a, b, c, d};
}
inline net::Instant at(net::Duration d) {
    return net::Instant{} + d;
}

inline Bytes datagram(net::Ipv4Address src, net::Ipv4Address dst, std::uint8_t protocol, const Bytes& payload,
                      std::uint8_t ttl = 64) {
    net::wire::Ipv4Repr r;
    r.src = src;
    r.dst = dst;
    r.protocol = protocol;
    r.ttl = ttl;
    r.identification = 0x1234;
    return net::testing::ipv4(r, payload);
}

inline Bytes tcp_segment(net::Ipv4Address src, net::Ipv4Address dst, std::uint16_t sport, std::uint16_t dport,
                         std::uint8_t flags, std::uint32_t seq = 1000, std::uint32_t ackno = 0,
                         std::size_t data = 0) {
    Bytes t(net::wire::TcpView::min_header_len + data);
    for (std::size_t i = 0; i < data; ++i)
        t[net::wire::TcpView::min_header_len + i] = static_cast<std::byte>(i * 7 + 1);
    net::wire::TcpRepr r{sport, dport, seq, ackno, flags, 8192};
    (void)r.emit(t, src, dst);
    return datagram(src, dst, net::wire::ip_proto::tcp, t);
}

inline Bytes udp_datagram(net::Ipv4Address src, net::Ipv4Address dst, std::uint16_t sport,
                          std::uint16_t dport, std::size_t data = 12) {
    Bytes payload(data);
    for (std::size_t i = 0; i < data; ++i)
        payload[i] = static_cast<std::byte>(0x40 + i);
    return datagram(src, dst, net::wire::ip_proto::udp, net::testing::udp(src, dst, sport, dport, payload));
}

inline Bytes icmp_message(net::Ipv4Address src, net::Ipv4Address dst, std::uint8_t type, std::uint8_t code,
                          std::uint32_t rest, const Bytes& data) {
    return datagram(src, dst, net::wire::ip_proto::icmp, net::testing::icmp(type, code, rest, data));
}

inline Bytes echo(net::Ipv4Address src, net::Ipv4Address dst, bool request, std::uint16_t id,
                  std::uint16_t seq = 1) {
    return icmp_message(src, dst, request ? 8 : 0, 0, std::uint32_t{id} << 16 | seq,
                        Bytes{std::byte{1}, std::byte{2}, std::byte{3}});
}

// An ICMP error about `offending`, quoting `quote_len` bytes of it (all of it by default, as RFC 1812
// 4.3.2.3 allows, so the quoted transport checksum can be verified too).
inline Bytes icmp_error(net::Ipv4Address src, net::Ipv4Address dst, std::uint8_t type, std::uint8_t code,
                        const Bytes& offending, std::size_t quote_len = ~std::size_t{0}) {
    Bytes quote(offending.begin(),
                offending.begin() + static_cast<std::ptrdiff_t>(std::min(quote_len, offending.size())));
    return icmp_message(src, dst, type, code, 0, quote);
}

inline net::wire::Ipv4View view(Bytes& b) {
    return *net::wire::Ipv4View::parse(b).view;
}

// Every checksum of a datagram, recomputed: the IPv4 header, TCP/UDP (pseudo-header included) or ICMP,
// and for an ICMP error the quoted header and, when quoted whole, the quoted TCP/UDP checksum.
inline ::testing::AssertionResult checksums_ok(Bytes b) {
    auto parsed = net::wire::Ipv4View::parse(b);
    if (!parsed) return ::testing::AssertionFailure() << "not an IPv4 datagram";
    const net::wire::Ipv4View v = *parsed.view;
    if (!v.verify_checksum()) return ::testing::AssertionFailure() << "IPv4 header checksum";
    if (v.fragment_offset() != 0) return ::testing::AssertionSuccess();
    switch (v.protocol()) {
    case net::wire::ip_proto::tcp: {
        auto t = net::wire::TcpView::parse(v.payload());
        if (!t || !t->verify_checksum(v.src(), v.dst()))
            return ::testing::AssertionFailure() << "TCP checksum";
        break;
    }
    case net::wire::ip_proto::udp: {
        auto u = net::wire::UdpView::parse(v.payload());
        if (!u || !u->verify_checksum(v.src(), v.dst()))
            return ::testing::AssertionFailure() << "UDP checksum";
        break;
    }
    case net::wire::ip_proto::icmp: {
        auto i = net::wire::IcmpView::parse(v.payload());
        if (!i || !i->verify_checksum()) return ::testing::AssertionFailure() << "ICMP checksum";
        if (net::wire::icmp_type::is_error(i->type())) {
            auto inner = net::wire::Ipv4View::parse(i->data());
            if (inner && inner.view->total_length() == i->data().size()) {
                Bytes q(i->data().begin(), i->data().end());
                auto r = checksums_ok(q);
                if (!r) return ::testing::AssertionFailure() << "quoted datagram: " << r.message();
            } else if (auto hdr = net::wire::Ipv4View::wrap(i->data())) {
                Bytes h(hdr->header().begin(), hdr->header().end());
                if (net::wire::internet_checksum(h) != 0)
                    return ::testing::AssertionFailure() << "quoted IPv4 header checksum";
            }
        }
        break;
    }
    default:
        break;
    }
    return ::testing::AssertionSuccess();
}

// A platform the test drives: console lines are kept, time is set by hand, timers fire when told.
class FakePlatform final : public Platform {
public:
    struct Timer {
        std::uint32_t seconds;
        TimerFunction function;
        void* context;
        bool active = true;
    };

    void print(std::string_view text) override { console += text; }
    std::optional<std::int64_t> wall_clock_ns() override { return wall_ns; }
    std::optional<std::int64_t> monotonic_ns() override { return std::nullopt; }
    TimerId start_periodic(std::uint32_t seconds, TimerFunction function, void* context) override {
        timers.push_back({seconds, function, context});
        return static_cast<TimerId>(timers.size());
    }
    void stop(TimerId id) override { timers.at(static_cast<std::size_t>(id) - 1).active = false; }
    std::optional<MemoryFigures> memory() override {
        return MemoryFigures{1 << 26, 1 << 25, 1 << 20, 1 << 16};
    }
    std::optional<LoopFigures> loop() override { return LoopFigures{iterations, idle}; }
    std::optional<std::size_t> active_timers() override {
        std::size_t n = 0;
        for (auto& t : timers)
            n += t.active ? 1 : 0;
        return n;
    }
    std::uint64_t random_seed() override { return 42; }

    // Fires every active timer whose interval is `seconds`.
    void fire(std::uint32_t seconds) {
        for (std::size_t i = 0; i < timers.size(); ++i) {
            if (timers[i].active && timers[i].seconds == seconds) timers[i].function(timers[i].context);
        }
    }
    std::string take_console() {
        std::string s;
        s.swap(console);
        return s;
    }

    std::string console;
    std::optional<std::int64_t> wall_ns;
    std::vector<Timer> timers;
    std::uint64_t iterations = 0, idle = 0;
};

} // namespace appliance::test
