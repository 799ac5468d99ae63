// The router appliance: routes between the subnets of two NICs and an 802.1Q VLAN on the first, answers
// ping on every interface, sends ICMP time exceeded (traceroute) and unreachable (no route), and echoes
// UDP on port 7 (RFC 862). The same source builds as a boot image (virtio-net NICs, in slot or -device
// order) and as a linux program (--nic tap:IF / --nic packet:IF).
//
// Addresses, from the command line (the kernel's on an image, argv on linux), with these defaults:
//   router.eth0=10.0.1.1/24  router.eth1=10.0.2.1/24  router.vlan=10  router.vlan_addr=10.0.10.1/24
//   router.run_for=SECONDS   stop after that long, printing the counters (0 or absent: run until killed)
#include <net/stack.hpp>
#include <net/udp_socket.hpp>
#include <os>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace {

struct Cidr {
    net::Ipv4Address address;
    net::Ipv4Address netmask;
};

std::optional<unsigned> parse_number(std::string_view text) {
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return v;
}

std::optional<Cidr> parse_cidr(std::string_view text) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    const auto address = net::Ipv4Address::parse(text.substr(0, slash));
    const auto prefix = parse_number(text.substr(slash + 1));
    if (!address || !prefix || *prefix > 32) return std::nullopt;
    return Cidr{*address, net::Ipv4Address{net::Ipv4Cidr::mask_of(static_cast<std::uint8_t>(*prefix))}};
}

std::string_view option(std::string_view key, std::string_view fallback) {
    return os::cmdline().get(key).value_or(fallback);
}

bool configure(net::Interface& iface, std::string_view key, std::string_view fallback) {
    const std::string_view text = option(key, fallback);
    const auto cidr = parse_cidr(text);
    if (!cidr) {
        std::printf("router: %.*s=%.*s is not ADDRESS/PREFIX\n", static_cast<int>(key.size()), key.data(),
                    static_cast<int>(text.size()), text.data());
        return false;
    }
    if (const auto r = iface.configure(cidr->address, cidr->netmask); !r) {
        std::printf("router: %s: %s\n", iface.name(), net::to_string(r.error()));
        return false;
    }
    std::printf("router: %s %.*s\n", iface.name(), static_cast<int>(text.size()), text.data());
    return true;
}

void print_counters(const net::Stack& stack) {
    for (const net::Interface* i : stack.interfaces()) {
        const auto& c = i->counters();
        std::printf("router: %s rx %llu tx %llu drops %llu\n", i->name(),
                    static_cast<unsigned long long>(c.rx_packets),
                    static_cast<unsigned long long>(c.tx_packets),
                    static_cast<unsigned long long>(c.total_drops()));
    }
    const auto& s = stack.counters();
    std::printf("router: forwarded %llu, icmp errors %llu, echo replies %llu\n",
                static_cast<unsigned long long>(s.forwarded),
                static_cast<unsigned long long>(s.icmp_errors_sent),
                static_cast<unsigned long long>(s.echo_replies_sent));
    for (std::size_t r = 0; r < static_cast<std::size_t>(net::DropReason::Count); ++r) {
        if (s.drops[r] != 0) {
            std::printf("router: drop %s %llu\n", net::to_string(static_cast<net::DropReason>(r)),
                        static_cast<unsigned long long>(s.drops[r]));
        }
    }
}

} // namespace

int main() {
    net::Stack* stack = net::default_stack();
    if (stack == nullptr || net::interfaces().size() < 2) {
        std::printf("router: needs two NICs, found %zu\n",
                    stack == nullptr ? std::size_t{0} : net::interfaces().size());
        return 1;
    }
    net::Interface& lan = net::interfaces()[0];
    if (!configure(lan, "router.eth0", "10.0.1.1/24") ||
        !configure(net::interfaces()[1], "router.eth1", "10.0.2.1/24"))
        return 1;
    const auto vid = parse_number(option("router.vlan", "10"));
    if (!vid || *vid == 0 || *vid >= 4095) {
        std::printf("router: router.vlan must be 1..4094\n");
        return 1;
    }
    auto vlan = stack->add_vlan(lan, static_cast<std::uint16_t>(*vid));
    if (!vlan || !configure(*vlan.value(), "router.vlan_addr", "10.0.10.1/24")) return 1;
    stack->set_forwarding(true);

    // RFC 862 echo, so tests can exchange UDP with the router itself too.
    static net::UdpSocket echo(*stack);
    if (echo.bind(7)) {
        echo.on_receive([](const net::UdpDatagram& d) { (void)echo.send_to(d.source, d.payload); });
    }

    if (const auto run_for = parse_number(option("router.run_for", "0")); run_for && *run_for > 0) {
        os::timers::oneshot(std::chrono::seconds(*run_for), [stack] {
            print_counters(*stack);
            os::shutdown(0);
        });
    }
    std::printf("router: ready on %s\n", std::string(os::platform()).c_str());
    return 0;
}
