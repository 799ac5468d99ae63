#include <halite/os/pci.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <map>

namespace {

using namespace os::pci;

// Config space of a few functions, with BAR sizing semantics: writing all
// ones to a BAR reads back its size mask.
class FakeBus final : public ConfigAccess {
public:
    struct Function {
        std::array<std::uint8_t, 256> config{};
        std::array<std::uint32_t, 6> bar_masks{}; // 0: BAR not implemented
        bool command_decoding() const { return (config[4] & 3) != 0; }
    };

    std::uint32_t read(Address a, std::uint16_t offset, unsigned width) override {
        auto it = functions.find(key(a));
        if (it == functions.end()) return width == 4 ? 0xffffffffu : (width == 2 ? 0xffffu : 0xffu);
        std::uint32_t v = 0;
        std::memcpy(&v, it->second.config.data() + offset, width);
        return v;
    }
    void write(Address a, std::uint16_t offset, unsigned width, std::uint32_t value) override {
        auto it = functions.find(key(a));
        if (it == functions.end()) return;
        auto& f = it->second;
        ++writes;
        if (offset >= 0x10 && offset < 0x28 && width == 4) {
            const unsigned bar = (offset - 0x10) / 4;
            std::uint32_t current;
            std::memcpy(&current, f.config.data() + offset, 4);
            if (value == 0xffffffffu) {
                if (f.command_decoding()) ADD_FAILURE() << "BAR sized while decoding";
                // Keep the read-only low bits (type), as hardware does.
                value = f.bar_masks[bar] == 0
                            ? 0
                            : (f.bar_masks[bar] | (current & (bar_is_io(current) ? 0x3 : 0xf)));
            }
        }
        std::memcpy(f.config.data() + offset, &value, width);
    }

    static std::uint32_t key(Address a) { return (a.bus << 16) | (a.device << 8) | a.function; }
    static bool bar_is_io(std::uint32_t v) { return v & 1; }

    Function& add(Address a, std::uint16_t vendor, std::uint16_t device, std::uint8_t header = 0) {
        auto& f = functions[key(a)];
        std::memcpy(f.config.data(), &vendor, 2);
        std::memcpy(f.config.data() + 2, &device, 2);
        f.config[0x0e] = header;
        return f;
    }

    std::map<std::uint32_t, Function> functions;
    int writes = 0;
};

TEST(Pci, EnumeratesBusesFunctionsAndBridges) {
    FakeBus bus;
    bus.add({0, 0, 0}, 0x8086, 0x29c0);
    bus.add({0, 1, 0}, 0x8086, 0x7000, 0x80); // multi-function
    bus.add({0, 1, 3}, 0x8086, 0x7113);
    auto& bridge = bus.add({0, 2, 0}, 0x1b36, 0x000c, 0x01);
    bridge.config[0x19] = 5; // secondary bus
    bus.add({5, 0, 0}, 0x1af4, 0x1041);
    bus.add({0, 3, 2}, 0x1234, 0x5678); // function 2 without 0x80 on function 0: not scanned
    const auto devices = enumerate(bus);
    ASSERT_EQ(devices.size(), 5u);
    EXPECT_EQ(devices[0].device_id(), 0x29c0);
    EXPECT_EQ(devices[2].address(), (Address{0, 1, 3}));
    EXPECT_EQ(devices[3].header_type(), 1u);
    EXPECT_EQ(devices[4].address(), (Address{5, 0, 0}));
    EXPECT_EQ(devices[4].vendor_id(), 0x1af4);
}

TEST(Pci, SizesBarsIncluding64BitAndIo) {
    FakeBus bus;
    auto& f = bus.add({0, 4, 0}, 0x1af4, 0x1000);
    f.config[4] = 0x07; // decoding on: sizing must turn it off and back on
    const std::uint32_t io = 0xc001, mem32 = 0xfebf0000, mem64_lo = 0x0000000c, mem64_hi = 0x00000080;
    std::memcpy(f.config.data() + 0x10, &io, 4);
    std::memcpy(f.config.data() + 0x14, &mem32, 4);
    std::memcpy(f.config.data() + 0x18, &mem64_lo, 4); // 64-bit, prefetchable
    std::memcpy(f.config.data() + 0x1c, &mem64_hi, 4);
    f.bar_masks = {0x0000ffe0, 0xfffff000, 0xffffc000, 0xffffffff, 0, 0};
    Device d(bus, {0, 4, 0});
    d.probe_bars();
    EXPECT_EQ(d.bar(0).kind, BarKind::io);
    EXPECT_EQ(d.bar(0).address, 0xc000u);
    EXPECT_EQ(d.bar(0).size, 32u);
    EXPECT_EQ(d.bar(1).kind, BarKind::memory32);
    EXPECT_EQ(d.bar(1).address, 0xfebf0000u);
    EXPECT_EQ(d.bar(1).size, 4096u);
    EXPECT_EQ(d.bar(2).kind, BarKind::memory64);
    EXPECT_TRUE(d.bar(2).prefetchable);
    EXPECT_EQ(d.bar(2).address, 0x8000000000u);
    EXPECT_EQ(d.bar(2).size, 16384u);
    EXPECT_EQ(d.bar(3).kind, BarKind::none); // upper half
    EXPECT_EQ(d.bar(4).kind, BarKind::none);
    EXPECT_EQ(d.bar(9).kind, BarKind::none);
    EXPECT_EQ(d.read16(reg::command), 0x07); // restored
    std::uint32_t after;
    std::memcpy(&after, f.config.data() + 0x14, 4);
    EXPECT_EQ(after, mem32); // restored
}

TEST(Pci, WalksCapabilitiesAndProgramsMsi) {
    FakeBus bus;
    auto& f = bus.add({0, 5, 0}, 0x1234, 0x11e8);
    f.config[0x06] = 0x10; // status: capability list
    f.config[0x34] = 0x40;
    f.config[0x40] = cap::msi;
    f.config[0x41] = 0x50;
    f.config[0x42] = 0x80; // 64-bit capable
    f.config[0x50] = cap::msix;
    f.config[0x51] = 0x60;
    f.config[0x52] = 0x03; // table size 4
    f.config[0x54] = 0x01; // table in BAR 1 at offset 0
    f.config[0x58] = 0x01;
    f.config[0x59] = 0x08; // PBA in BAR 1 at 0x800
    f.config[0x60] = cap::vendor;
    f.config[0x61] = 0x60; // loops to itself: the walk must stop
    Device d(bus, {0, 5, 0});
    const auto caps = d.capabilities();
    ASSERT_EQ(caps.size(), 48u);
    EXPECT_EQ(caps[0].id, cap::msi);
    EXPECT_EQ(caps[1].offset, 0x50);
    EXPECT_EQ(d.find_capability(cap::msix), 0x50);
    EXPECT_FALSE(d.find_capability(cap::pci_express));
    const auto msix = d.msix();
    ASSERT_TRUE(msix);
    EXPECT_EQ(msix->table_size, 4u);
    EXPECT_EQ(msix->table_bar, 1u);
    EXPECT_EQ(msix->pba_offset, 0x800u);

    ASSERT_TRUE(d.enable_msi(os::irq::MsiMessage{0xfee00000, 0x71, 0x71}).ok());
    EXPECT_EQ(d.read32(0x44), 0xfee00000u);
    EXPECT_EQ(d.read32(0x48), 0u);
    EXPECT_EQ(d.read16(0x4c), 0x71u);
    EXPECT_EQ(d.read16(0x42) & 1, 1);
    EXPECT_NE(d.read16(reg::command) & command_bits::intx_disable, 0);

    FakeBus empty;
    empty.add({0, 0, 0}, 1, 2);
    Device plain(empty, {0, 0, 0});
    EXPECT_TRUE(plain.capabilities().empty());
    EXPECT_EQ(plain.enable_msi({}).error().code, os::Errc::not_found);
}

} // namespace
