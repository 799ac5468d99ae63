#include "kernel/acpi.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

using namespace os::kernel::acpi;

// Physical memory holding hand-built tables.
class FakeFirmware final : public PhysicalReader {
public:
    std::span<const std::byte> read(std::uint64_t physical, std::size_t length) override {
        for (auto& [base, bytes] : blocks) {
            if (physical >= base && physical + length <= base + bytes.size())
                return std::span<const std::byte>(bytes).subspan(physical - base, length);
        }
        return {};
    }
    std::map<std::uint64_t, std::vector<std::byte>> blocks;
};

template <class T>
void put(std::vector<std::byte>& b, std::size_t at, T v) {
    if (b.size() < at + sizeof v) b.resize(at + sizeof v);
    std::memcpy(b.data() + at, &v, sizeof v);
}

void fix_checksum(std::vector<std::byte>& b, std::size_t at, std::size_t length) {
    b[at] = std::byte{0};
    std::uint8_t sum = 0;
    for (std::size_t i = 0; i < length; ++i)
        sum = static_cast<std::uint8_t>(sum + static_cast<std::uint8_t>(b[i]));
    b[at] = static_cast<std::byte>(static_cast<std::uint8_t>(-sum));
}

std::vector<std::byte> sdt(const char* signature, std::vector<std::byte> body) {
    std::vector<std::byte> t(36);
    std::memcpy(t.data(), signature, 4);
    t.insert(t.end(), body.begin(), body.end());
    put<std::uint32_t>(t, 4, static_cast<std::uint32_t>(t.size()));
    t[8] = std::byte{2};
    fix_checksum(t, 9, t.size());
    return t;
}

std::vector<std::byte> bytes(std::initializer_list<int> v) {
    std::vector<std::byte> out;
    for (int x : v)
        out.push_back(static_cast<std::byte>(x));
    return out;
}

struct AcpiTest : ::testing::Test {
    FakeFirmware fw;

    void SetUp() override {
        // DSDT with `Name (\_S5, Package (0x04) { 0x05, Zero, Zero, Zero })`.
        auto aml = bytes({0x10, 0x05, '_',  'S',  'B',  '_',  0x08, '\\', '_',  'S',
                          '5',  '_',  0x12, 0x08, 0x04, 0x0a, 0x05, 0x00, 0x00, 0x00});
        fw.blocks[0x7000] = sdt("DSDT", aml);

        std::vector<std::byte> fadt_body(244 + 12 - 36 + 20);
        auto fadt = sdt("FACP", fadt_body);
        put<std::uint32_t>(fadt, 40, 0x7000);    // DSDT
        put<std::uint32_t>(fadt, 48, 0xb2);      // SMI_CMD
        fadt[52] = std::byte{0xf1};              // ACPI_ENABLE
        put<std::uint32_t>(fadt, 64, 0x604);     // PM1a_CNT_BLK
        fadt[108] = std::byte{0x32};             // CENTURY
        put<std::uint32_t>(fadt, 112, 1u << 10); // RESET_REG_SUP
        fadt[116] = std::byte{1};                // reset register: I/O
        put<std::uint64_t>(fadt, 120, 0xcf9);
        fadt[128] = std::byte{0x0f};
        fix_checksum(fadt, 9, fadt.size());
        fw.blocks[0x6000] = fadt;

        std::vector<std::byte> madt_body;
        put<std::uint32_t>(madt_body, 0, 0xfee00000); // local APIC
        put<std::uint32_t>(madt_body, 4, 1);
        const auto ioapic = bytes({1, 12, 0, 0, 0x00, 0x00, 0xc0, 0xfe, 0, 0, 0, 0});
        madt_body.insert(madt_body.end(), ioapic.begin(), ioapic.end());
        const auto iso0 = bytes({2, 10, 0, 0, 2, 0, 0, 0, 0, 0});    // IRQ 0 -> GSI 2
        const auto iso9 = bytes({2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0}); // IRQ 9: level, active high
        madt_body.insert(madt_body.end(), iso0.begin(), iso0.end());
        madt_body.insert(madt_body.end(), iso9.begin(), iso9.end());
        fw.blocks[0x5000] = sdt("APIC", madt_body);

        std::vector<std::byte> rsdt_body;
        put<std::uint32_t>(rsdt_body, 0, 0x6000);
        put<std::uint32_t>(rsdt_body, 4, 0x5000);
        put<std::uint32_t>(rsdt_body, 8, 0x9999); // unreadable: skipped
        fw.blocks[0x4000] = sdt("RSDT", rsdt_body);

        std::vector<std::byte> rsdp(20);
        std::memcpy(rsdp.data(), "RSD PTR ", 8);
        put<std::uint32_t>(rsdp, 16, 0x4000);
        fix_checksum(rsdp, 8, 20);
        fw.blocks[0xf5a00] = rsdp;
    }
};

TEST_F(AcpiTest, ParsesFadtMadtAndS5) {
    const Info info = parse(fw, 0xf5a00);
    ASSERT_TRUE(info.present);
    EXPECT_EQ(info.pm1a_control, 0x604u);
    EXPECT_EQ(info.smi_command, 0xb2u);
    EXPECT_EQ(info.acpi_enable, 0xf1u);
    EXPECT_EQ(info.century_register, 0x32u);
    EXPECT_FALSE(info.hardware_reduced);
    ASSERT_TRUE(info.reset_register);
    EXPECT_EQ(info.reset_register->address, 0xcf9u);
    EXPECT_EQ(info.reset_value, 0x0fu);
    ASSERT_TRUE(info.s5_type_a);
    EXPECT_EQ(*info.s5_type_a, 5u);
    ASSERT_EQ(info.ioapics.size(), 1u);
    EXPECT_EQ(info.ioapics[0].address, 0xfec00000u);
    EXPECT_EQ(info.ioapics[0].gsi_base, 0u);
    EXPECT_EQ(info.lapic_address, 0xfee00000u);
    const auto irq0 = isa_irq(info, 0);
    EXPECT_EQ(irq0.gsi, 2u);
    EXPECT_FALSE(irq0.level);
    const auto irq9 = isa_irq(info, 9);
    EXPECT_TRUE(irq9.level);
    EXPECT_FALSE(irq9.active_low);
    EXPECT_EQ(isa_irq(info, 4).gsi, 4u);
}

TEST_F(AcpiTest, BadChecksumsAndMissingTablesAreIgnored) {
    auto& fadt = fw.blocks[0x6000];
    fadt[20] = std::byte{0x55}; // breaks the checksum
    const Info info = parse(fw, 0xf5a00);
    EXPECT_TRUE(info.present);
    EXPECT_EQ(info.pm1a_control, 0u);
    EXPECT_EQ(info.ioapics.size(), 1u);
    EXPECT_FALSE(parse(fw, 0).present);
    EXPECT_FALSE(parse(fw, 0x4000).present); // not an RSDP
}

TEST(AcpiVirtioMmio, FindsDevicesLikeQemuMicrovmDeclares) {
    // Device (VR00) { Name (_HID, "LNRO0005") Name (_UID, 0) Name (_CCA, One)
    //   Name (_CRS, ResourceTemplate () { Memory32Fixed (ReadWrite, 0xFEB00000, 0x200)
    //     Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive) { 0x10 } }) }
    auto device = [](std::uint8_t base_byte, std::uint8_t irq, std::uint8_t interrupt_flags) {
        return bytes({0x5b, 0x82, 0x3a, 'V', 'R', '0', '0', 0x08, '_', 'H', 'I', 'D', 0x0d, 'L', 'N', 'R',
                      'O', '0', '0', '0', '5', 0x00, 0x08, '_', 'U', 'I', 'D', 0x00, 0x08, '_', 'C', 'C', 'A',
                      0x01, 0x08, '_', 'C', 'R', 'S', 0x11, 0x1a, 0x0a, 0x17,
                      // Memory32Fixed: tag, length 9, read-write, base, size
                      0x86, 0x09, 0x00, 0x01, 0x00, base_byte, 0xb0, 0xfe, 0x00, 0x02, 0x00, 0x00,
                      // Extended Interrupt: tag, length 6, flags, count 1, irq
                      0x89, 0x06, 0x00, interrupt_flags, 0x01, irq, 0x00, 0x00, 0x00,
                      // End tag
                      0x79, 0x00});
    };
    auto aml = device(0x00, 0x10, 0x09);                        // consumer, level, active high, exclusive
    const auto second = device(0x02, 0x11, 0x01 | 0x02 | 0x04); // edge, active low
    aml.insert(aml.end(), second.begin(), second.end());
    const auto found = find_virtio_mmio(aml);
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].base, 0xfeb00000u);
    EXPECT_EQ(found[0].size, 0x200u);
    EXPECT_EQ(found[0].irq, 0x10u);
    EXPECT_TRUE(found[0].level);
    EXPECT_FALSE(found[0].active_low);
    EXPECT_EQ(found[1].base, 0xfeb00200u);
    EXPECT_EQ(found[1].irq, 0x11u);
    EXPECT_FALSE(found[1].level);
    EXPECT_TRUE(found[1].active_low);
    // Truncated buffers are skipped, not read past.
    aml.resize(60);
    EXPECT_TRUE(find_virtio_mmio(aml).empty());
}

TEST(AcpiS5, ByteScan) {
    EXPECT_EQ(find_s5(bytes({0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x01, 0x00, 0x00})),
              (std::pair<std::uint8_t, std::uint8_t>{0, 1}));
    EXPECT_FALSE(
        find_s5(bytes({'_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00}))); // not a Name
    EXPECT_FALSE(find_s5(
        bytes({0x08, '_', 'S', '5', '_', 0x13, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00}))); // not a Package
    EXPECT_FALSE(find_s5(bytes({0x08, '_', 'S', '5'})));
}

} // namespace
