// appliance::run() setting a Config up on a stack, and refusing with a clear console line (and a non-zero
// return) what the platform cannot honour.
#include "lab.hpp"

#include <string>

namespace appliance::test {
namespace {

Decision accept_all(RulePacket&, ActionSink&) {
    return {Verdict::Accept, rule_none};
}

class Setup : public ::testing::Test {
protected:
    Setup() {
        (void)stack.add_interface(nic0);
        (void)stack.add_interface(nic1);
        set_platform(&platform);
        net::set_default_stack(&stack);
    }
    ~Setup() override {
        appliance::stop();
        set_platform(nullptr);
        net::set_default_stack(nullptr);
    }
    int run_with(std::vector<IfaceConfig> i, std::vector<ChainConfig> c = {}) {
        ifaces = std::move(i);
        chains = std::move(c);
        config.ifaces = ifaces;
        config.chains = chains;
        return appliance::run(config);
    }

    net::PacketPool pool{256};
    net::testing::FakeNic nic0{pool, mac(0x10)};
    net::testing::FakeNic nic1{pool, mac(0x11)};
    net::Stack stack{pool};
    FakePlatform platform;
    std::vector<IfaceConfig> ifaces;
    std::vector<ChainConfig> chains;
    Config config;
};

IfaceConfig plain(const char* name, std::int32_t index) {
    return {.name = name, .nic_index = index, .address = ip(10, 0, 1, 1).value, .netmask = mask24.value};
}

TEST_F(Setup, StaticIfacesComeUpAndAreSummarised) {
    IfaceConfig a = plain("lan", 0);
    a.gateway = ip(10, 0, 1, 254).value;
    a.dns = ip(10, 0, 1, 53).value;
    ASSERT_EQ(run_with({a}), 0) << platform.console;
    net::Interface* i = current()->interface(0);
    ASSERT_NE(i, nullptr);
    EXPECT_EQ(i, &stack.interfaces()[0]);
    EXPECT_EQ(i->address(), ip(10, 0, 1, 1));
    EXPECT_EQ(i->gateway(), ip(10, 0, 1, 254));
    EXPECT_NE(platform.console.find("appliance: Iface lan is eth0, 10.0.1.1/24, gateway 10.0.1.254, dns "
                                    "10.0.1.53 (unused), mtu 1500\n"),
              std::string::npos)
        << platform.console;
    EXPECT_TRUE(stack.hooks().active(net::HookPoint::Prerouting));
    appliance::stop();
    EXPECT_FALSE(stack.hooks().active(net::HookPoint::Prerouting));
}

TEST_F(Setup, FailsWithoutAStack) {
    net::set_default_stack(nullptr);
    EXPECT_EQ(run_with({plain("lan", 0)}), 1);
    EXPECT_NE(platform.console.find("appliance: this platform has no network stack\n"), std::string::npos);
}

TEST_F(Setup, NicIndexBeyondTheMachine) {
    EXPECT_EQ(run_with({plain("lan", 5)}), 1);
    EXPECT_NE(platform.console.find("appliance: Iface lan: index 5, but this machine has 2 NICs\n"),
              std::string::npos)
        << platform.console;
    EXPECT_EQ(current(), nullptr);
}

TEST_F(Setup, NicSelectedByMac) {
    IfaceConfig a = plain("wan", -1);
    a.mac = "02:00:00:00:00:11";
    ASSERT_EQ(run_with({a}), 0) << platform.console;
    EXPECT_EQ(current()->interface(0), &stack.interfaces()[1]);
}

TEST_F(Setup, UnknownMacListsTheNics) {
    IfaceConfig a = plain("wan", -1);
    a.mac = "02:00:00:00:00:99";
    EXPECT_EQ(run_with({a}), 1);
    EXPECT_NE(
        platform.console.find("no NIC has MAC 02:00:00:00:00:99; this machine's NICs are 02:00:00:00:00:10, "
                              "02:00:00:00:00:11\n"),
        std::string::npos)
        << platform.console;
}

TEST_F(Setup, IndexAndMacMustAgree) {
    IfaceConfig a = plain("wan", 0);
    a.mac = "02:00:00:00:00:11";
    EXPECT_EQ(run_with({a}), 1);
    EXPECT_NE(platform.console.find("index 0 and mac 02:00:00:00:00:11 are different NICs"),
              std::string::npos);
}

TEST_F(Setup, TwoPlainIfacesOnOneNicAreRefused) {
    IfaceConfig b = plain("other", 0);
    b.address = ip(10, 0, 2, 1).value;
    EXPECT_EQ(run_with({plain("lan", 0), b}), 1);
    EXPECT_NE(platform.console.find("Iface other: NIC eth0 is Iface lan's already"), std::string::npos);
}

TEST_F(Setup, VlanSubInterfaces) {
    IfaceConfig v = plain("guests", 0);
    v.vlan = 10;
    v.address = ip(10, 0, 10, 1).value;
    ASSERT_EQ(run_with({plain("lan", 0), v}), 0) << platform.console;
    net::Interface* i = current()->interface(1);
    EXPECT_EQ(i->vlan_id(), 10);
    EXPECT_EQ(i->parent(), &stack.interfaces()[0]);
    EXPECT_EQ(i->address(), ip(10, 0, 10, 1));
    EXPECT_NE(platform.console.find("appliance: Iface guests is eth0.10, 10.0.10.1/24"), std::string::npos);
}

TEST_F(Setup, DhcpAndDhcpWithFallback) {
    IfaceConfig d{.name = "a", .nic_index = 0, .source = AddressSource::Dhcp};
    IfaceConfig f = plain("b", 1);
    f.source = AddressSource::DhcpWithFallback;
    ASSERT_EQ(run_with({d, f}), 0) << platform.console;
    EXPECT_NE(current()->interface(0)->dhcp(), nullptr);
    EXPECT_NE(current()->interface(1)->dhcp(), nullptr);
    EXPECT_FALSE(current()->interface(0)->is_configured());
    EXPECT_NE(platform.console.find("appliance: Iface b is eth1, dhcp (fallback 10.0.1.1/255.255.255.0)"),
              std::string::npos);
    // The fallback applies when no server answers in time (net/'s DHCP client, 30 s).
    stack.poll(at(1s));
    stack.poll(at(40s));
    stack.poll(at(41s));
    EXPECT_EQ(current()->interface(1)->address(), ip(10, 0, 1, 1));
}

TEST_F(Setup, NicLimitsAreSetOnTheNic) {
    IfaceConfig a = plain("lan", 0);
    a.buffer_limit = 100;
    a.send_queue_limit = 50;
    ASSERT_EQ(run_with({a}), 0) << platform.console;
    EXPECT_EQ(current()->interface(0)->send_queue_limit(), 50u);
    EXPECT_NE(platform.console.find(", buffer_limit 100, send_queue_limit 50"), std::string::npos)
        << platform.console;
}

TEST_F(Setup, LimitsAndMtusThatCannotBeHonoured) {
    IfaceConfig a = plain("lan", 0);
    a.mtu = 9000;
    EXPECT_EQ(run_with({a}), 1);
    EXPECT_NE(platform.console.find(
                  "appliance: Iface lan: mtu 9000 cannot be honoured: eth0 carries at most 1500\n"),
              std::string::npos)
        << platform.console;
    platform.take_console();
    IfaceConfig v = plain("voice", 0);
    v.vlan = 10;
    v.send_queue_limit = 100;
    EXPECT_EQ(run_with({plain("lan", 0), v}), 1);
    EXPECT_NE(platform.console.find("belong to the NIC, not to VLAN 10"), std::string::npos)
        << platform.console;
    IfaceConfig c = plain("lan", 1);
    c.mtu = 40;
    EXPECT_EQ(run_with({c}), 1);
    EXPECT_NE(platform.console.find("mtu 40 is below the IPv4 minimum of 68"), std::string::npos);
}

TEST_F(Setup, ChainsMustNameTheirIfaceRightly) {
    EXPECT_EQ(run_with({plain("lan", 0)}, {{Hook::Forward, 0, &accept_all}}), 1);
    EXPECT_NE(platform.console.find("the forward chain belongs to the Gateway"), std::string::npos);
    EXPECT_EQ(run_with({plain("lan", 0)}, {{Hook::Input, 3, &accept_all}}), 1);
    EXPECT_NE(platform.console.find("a chain's Iface index is out of range"), std::string::npos);
}

TEST_F(Setup, ConntrackLimitZeroTracksNothing) {
    config.conntrack.limit = 0;
    EXPECT_EQ(run_with({plain("lan", 0)}, {{Hook::Input, 0, &accept_all}}), 1);
    EXPECT_NE(platform.console.find("Conntrack limit 0 cannot be honoured"), std::string::npos)
        << platform.console;
}

TEST_F(Setup, RoutesAndForwarding) {
    RouteConfig routes[] = {{ip(192, 168, 0, 0).value, 16, 0, ip(10, 0, 1, 254).value, 50}};
    config.routes = routes;
    config.gateway = true;
    ASSERT_EQ(run_with({plain("lan", 0)}), 0) << platform.console;
    EXPECT_TRUE(stack.forwarding());
    const net::Route* r = stack.routes().lookup(ip(192, 168, 3, 4));
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->gateway, ip(10, 0, 1, 254));
    EXPECT_EQ(r->metric, 50u);
}

} // namespace
} // namespace appliance::test
