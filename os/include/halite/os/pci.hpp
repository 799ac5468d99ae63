// PCI devices found at boot (pc/q35; none on microvm or linux), with
// config-space access and the decoding a driver needs: capabilities, BARs
// (64-bit BARs included), MSI and MSI-X programming. Config space is reached
// through ports 0xcf8/0xcfc (offsets below 256).
#pragma once

#include <halite/os/irq.hpp>
#include <halite/os/result.hpp>

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace os::pci {

struct Address {
    std::uint8_t bus = 0;
    std::uint8_t device = 0;   // 0-31
    std::uint8_t function = 0; // 0-7
    auto operator<=>(const Address&) const = default;
};

// Standard header offsets (PCI Local Bus 3.0, 6.1).
namespace reg {
inline constexpr std::uint16_t vendor_id = 0x00;
inline constexpr std::uint16_t device_id = 0x02;
inline constexpr std::uint16_t command = 0x04;
inline constexpr std::uint16_t status = 0x06;
inline constexpr std::uint16_t revision = 0x08;
inline constexpr std::uint16_t prog_if = 0x09;
inline constexpr std::uint16_t subclass = 0x0a;
inline constexpr std::uint16_t class_code = 0x0b;
inline constexpr std::uint16_t header_type = 0x0e;
inline constexpr std::uint16_t bar0 = 0x10;
inline constexpr std::uint16_t subsystem_vendor_id = 0x2c;
inline constexpr std::uint16_t subsystem_id = 0x2e;
inline constexpr std::uint16_t capabilities = 0x34;
inline constexpr std::uint16_t interrupt_line = 0x3c;
inline constexpr std::uint16_t interrupt_pin = 0x3d;
inline constexpr std::uint16_t secondary_bus = 0x19; // type 1 (bridge) headers
} // namespace reg

namespace command_bits {
inline constexpr std::uint16_t io = 1u << 0;
inline constexpr std::uint16_t memory = 1u << 1;
inline constexpr std::uint16_t bus_master = 1u << 2;
inline constexpr std::uint16_t intx_disable = 1u << 10;
} // namespace command_bits

namespace cap {
inline constexpr std::uint8_t power_management = 0x01;
inline constexpr std::uint8_t msi = 0x05;
inline constexpr std::uint8_t vendor = 0x09; // virtio-pci uses these
inline constexpr std::uint8_t pci_express = 0x10;
inline constexpr std::uint8_t msix = 0x11;
} // namespace cap

enum class BarKind : std::uint8_t { none, io, memory32, memory64 };

struct Bar {
    BarKind kind = BarKind::none;
    std::uint64_t address = 0;
    std::uint64_t size = 0;
    bool prefetchable = false;
};

struct Capability {
    std::uint8_t id;
    std::uint8_t offset;
};

// Where a device's MSI-X table and pending-bit array live (PCI 3.0, 6.8.2).
struct MsixInfo {
    std::uint8_t offset; // of the capability
    std::uint16_t table_size;
    std::uint8_t table_bar;
    std::uint32_t table_offset;
    std::uint8_t pba_bar;
    std::uint32_t pba_offset;
};

// Sized config-space access; the platform provides one (ports 0xcf8/0xcfc),
// tests provide fakes.
class ConfigAccess {
public:
    virtual ~ConfigAccess() = default;
    virtual std::uint32_t read(Address address, std::uint16_t offset, unsigned width) = 0;
    virtual void write(Address address, std::uint16_t offset, unsigned width, std::uint32_t value) = 0;
};

class Device {
public:
    Device(ConfigAccess& access, Address address);

    Address address() const noexcept { return address_; }
    std::uint16_t vendor_id() const noexcept { return vendor_id_; }
    std::uint16_t device_id() const noexcept { return device_id_; }
    std::uint8_t class_code() const noexcept { return class_code_; }
    std::uint8_t subclass() const noexcept { return subclass_; }
    std::uint8_t prog_if() const noexcept { return prog_if_; }
    std::uint8_t revision() const noexcept { return revision_; }
    std::uint8_t header_type() const noexcept { return header_type_ & 0x7f; }
    std::uint16_t subsystem_vendor_id() const { return read16(reg::subsystem_vendor_id); }
    std::uint16_t subsystem_id() const { return read16(reg::subsystem_id); }
    // The legacy interrupt: the line firmware routed INTx to (a GSI on QEMU's
    // pc and q35) and the pin (1 = INTA .. 4 = INTD, 0 = none).
    std::uint8_t irq_line() const { return read8(reg::interrupt_line); }
    std::uint8_t irq_pin() const { return read8(reg::interrupt_pin); }

    std::uint8_t read8(std::uint16_t offset) const;
    std::uint16_t read16(std::uint16_t offset) const;
    std::uint32_t read32(std::uint16_t offset) const;
    void write8(std::uint16_t offset, std::uint8_t value);
    void write16(std::uint16_t offset, std::uint16_t value);
    void write32(std::uint16_t offset, std::uint32_t value);

    // BARs 0-5, decoded and sized at discovery (type 0 headers; bridges have
    // two). The upper half of a 64-bit BAR reads as BarKind::none.
    const Bar& bar(unsigned index) const;
    std::span<const Bar> bars() const noexcept { return {bars_.data(), bar_count_}; }

    // The capability list, in order; at most 48 entries (a loop guard).
    std::vector<Capability> capabilities() const;
    std::optional<std::uint8_t> find_capability(std::uint8_t id) const;

    void set_command_bits(std::uint16_t bits, bool on);
    void enable(bool memory, bool io, bool bus_master);

    // MSI (one vector) and MSI-X.
    Result<void> enable_msi(const irq::MsiMessage& message);
    std::optional<MsixInfo> msix() const;
    // Maps the MSI-X table, writes entry `entry`, unmasks it and enables MSI-X
    // (function mask off, INTx off).
    Result<void> set_msix_entry(std::uint16_t entry, const irq::MsiMessage& message);

    // Maps a memory BAR (uncached); Errc::invalid_argument for I/O or empty BARs.
    Result<volatile void*> map_bar(unsigned index) const;

    // Discovery sizes the BARs; exposed for the enumerator and tests.
    void probe_bars();

private:
    ConfigAccess* access_;
    Address address_;
    std::uint16_t vendor_id_ = 0xffff;
    std::uint16_t device_id_ = 0xffff;
    std::uint8_t class_code_ = 0, subclass_ = 0, prog_if_ = 0, revision_ = 0, header_type_ = 0;
    std::array<Bar, 6> bars_{};
    unsigned bar_count_ = 0;
};

// Every function found at boot, in bus/device/function order.
std::span<Device> devices();
Device* find(std::uint16_t vendor_id, std::uint16_t device_id);

// Walks every bus reachable from bus 0 through `access` (pure: tests use it
// with a fake config space).
std::vector<Device> enumerate(ConfigAccess& access);

} // namespace os::pci
