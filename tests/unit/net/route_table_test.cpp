// The routing table: longest prefix first, then the lowest metric; interfaces that are down are skipped.
#include "harness.hpp"

#include <gtest/gtest.h>

namespace net::test {
namespace {

struct Routes : ::testing::Test {
    PacketPool pool{8};
    testing::FakeNic nic_a{pool, mac_of(1)};
    testing::FakeNic nic_b{pool, mac_of(2)};
    Stack stack{pool};
    Interface* a = stack.add_interface(nic_a).value();
    Interface* b = stack.add_interface(nic_b).value();
    RouteTable table;
};

TEST_F(Routes, LongestPrefixWins) {
    ASSERT_TRUE(table.add({{{0, 0, 0, 0}, 0}, {10, 0, 0, 1}, a, 0}));
    ASSERT_TRUE(table.add({{{10, 1, 0, 0}, 16}, {}, b, 0}));
    ASSERT_TRUE(table.add({{{10, 1, 2, 0}, 24}, {}, a, 0}));
    EXPECT_EQ(table.lookup({10, 1, 2, 3})->interface, a);
    EXPECT_EQ(table.lookup({10, 1, 3, 3})->interface, b);
    EXPECT_EQ(table.lookup({8, 8, 8, 8})->gateway, (Ipv4Address{10, 0, 0, 1}));
}

TEST_F(Routes, MetricBreaksTiesAndHostBitsAreCleared) {
    ASSERT_TRUE(table.add({{{192, 168, 1, 77}, 24}, {}, a, 20}));
    ASSERT_TRUE(table.add({{{192, 168, 1, 0}, 24}, {}, b, 10}));
    EXPECT_EQ(table.lookup({192, 168, 1, 5})->interface, b);
    EXPECT_EQ(table.routes()[0].destination.address, (Ipv4Address{192, 168, 1, 0}));
    // Re-adding the same route with a new metric replaces it.
    ASSERT_TRUE(table.add({{{192, 168, 1, 0}, 24}, {}, a, 5}));
    EXPECT_EQ(table.routes().size(), 2u);
    EXPECT_EQ(table.lookup({192, 168, 1, 5})->interface, a);
}

TEST_F(Routes, DownInterfacesAreSkipped) {
    ASSERT_TRUE(table.add({{{10, 0, 0, 0}, 8}, {}, a, 0}));
    ASSERT_TRUE(table.add({{{10, 0, 0, 0}, 8}, {}, b, 50}));
    nic_a.set_link_up(false);
    // The stack has not polled since: as far as it knows, a is up.
    EXPECT_EQ(table.lookup({10, 2, 3, 4})->interface, a);
    stack.poll(Instant{});
    EXPECT_EQ(table.lookup({10, 2, 3, 4})->interface, b);
    nic_b.set_link_up(false);
    stack.poll(Instant{});
    EXPECT_EQ(table.lookup({10, 2, 3, 4}), nullptr);
}

TEST_F(Routes, RemoveAndLimits) {
    ASSERT_TRUE(table.add({{{10, 0, 0, 0}, 8}, {}, a, 0}));
    EXPECT_TRUE(table.remove({{10, 9, 9, 9}, 8}, a));
    EXPECT_EQ(table.remove({{10, 0, 0, 0}, 8}, a).error(), Error::NotFound);
    EXPECT_EQ(table.add({{{10, 0, 0, 0}, 8}, {}, nullptr, 0}).error(), Error::InvalidArgument);
    EXPECT_EQ(table.add({{{10, 0, 0, 0}, 33}, {}, a, 0}).error(), Error::InvalidArgument);
    for (std::uint32_t i = 0; i < RouteTable::capacity; ++i) {
        ASSERT_TRUE(table.add({{Ipv4Address{0x0a000000u + (i << 8)}, 24}, {}, a, 0}));
    }
    EXPECT_EQ(table.add({{{11, 0, 0, 0}, 8}, {}, a, 0}).error(), Error::TableFull);
}

TEST_F(Routes, ConfigureInstallsAndReplacesInterfaceRoutes) {
    ASSERT_TRUE(a->configure({10, 0, 0, 1}, {255, 255, 255, 0}, {10, 0, 0, 254}));
    ASSERT_TRUE(stack.routes().add({{{172, 16, 0, 0}, 12}, {10, 0, 0, 253}, a, 0}));
    EXPECT_EQ(stack.routes().routes().size(), 3u);
    ASSERT_TRUE(a->configure({10, 0, 1, 1}, {255, 255, 255, 0}));
    EXPECT_EQ(stack.routes().routes().size(), 2u); // the static route stays
    EXPECT_EQ(stack.routes().lookup({10, 0, 1, 9})->interface, a);
    EXPECT_EQ(stack.routes().lookup({8, 8, 8, 8}), nullptr);
    a->deconfigure();
    EXPECT_EQ(stack.routes().routes().size(), 1u);
}

TEST_F(Routes, StaticConfigurationStopsDhcp) {
    stack.poll(at(1s));
    a->use_dhcp();
    ASSERT_NE(a->dhcp(), nullptr);
    EXPECT_EQ(a->dhcp()->state(), DhcpState::Selecting);
    ASSERT_TRUE(a->configure({10, 0, 0, 1}, {255, 255, 255, 0}));
    EXPECT_EQ(a->dhcp(), nullptr);
    EXPECT_FALSE(stack.poll_at()); // no DHCP timer left
}

TEST_F(Routes, ConfigureValidatesItsArguments) {
    EXPECT_EQ(a->configure({10, 0, 0, 1}, {255, 0, 255, 0}).error(), Error::InvalidArgument);
    EXPECT_EQ(a->configure({10, 0, 0, 0}, {255, 255, 255, 0}).error(), Error::InvalidArgument);
    EXPECT_EQ(a->configure({10, 0, 0, 255}, {255, 255, 255, 0}).error(), Error::InvalidArgument);
    EXPECT_EQ(a->configure({224, 0, 0, 1}, {255, 255, 255, 0}).error(), Error::InvalidArgument);
    EXPECT_EQ(a->configure({127, 0, 0, 1}, {255, 0, 0, 0}).error(), Error::InvalidArgument);
    EXPECT_EQ(a->configure({10, 0, 0, 1}, {255, 255, 255, 0}, {10, 0, 1, 1}).error(), Error::InvalidArgument);
    EXPECT_FALSE(a->is_configured());
    EXPECT_TRUE(a->configure({10, 0, 0, 1}, {255, 255, 255, 254})); // RFC 3021 /31
}

} // namespace
} // namespace net::test
