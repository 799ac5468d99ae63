// virtio-mmio transports, found at boot in the ACPI DSDT (QEMU's microvm with
// ACPI, its default) or on the command line
// (`virtio_mmio.device=<size>@<base>:<irq>[:<id>]`, which microvm adds with
// acpi=off), then probed: only transports whose magic value is "virt" and
// whose device ID is not 0 are listed. Register offsets: virtio 1.2, 4.2.2.
#pragma once

#include <halite/os/irq.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace os::virtio_mmio {

namespace reg {
inline constexpr std::uint32_t magic = 0x000;
inline constexpr std::uint32_t version = 0x004;
inline constexpr std::uint32_t device_id = 0x008;
inline constexpr std::uint32_t vendor_id = 0x00c;
inline constexpr std::uint32_t device_features = 0x010;
inline constexpr std::uint32_t device_features_sel = 0x014;
inline constexpr std::uint32_t driver_features = 0x020;
inline constexpr std::uint32_t driver_features_sel = 0x024;
inline constexpr std::uint32_t queue_sel = 0x030;
inline constexpr std::uint32_t queue_num_max = 0x034;
inline constexpr std::uint32_t queue_num = 0x038;
inline constexpr std::uint32_t queue_ready = 0x044;
inline constexpr std::uint32_t queue_notify = 0x050;
inline constexpr std::uint32_t interrupt_status = 0x060;
inline constexpr std::uint32_t interrupt_ack = 0x064;
inline constexpr std::uint32_t status = 0x070;
inline constexpr std::uint32_t queue_desc_low = 0x080;
inline constexpr std::uint32_t queue_desc_high = 0x084;
inline constexpr std::uint32_t queue_driver_low = 0x090;
inline constexpr std::uint32_t queue_driver_high = 0x094;
inline constexpr std::uint32_t queue_device_low = 0x0a0;
inline constexpr std::uint32_t queue_device_high = 0x0a4;
inline constexpr std::uint32_t config_generation = 0x0fc;
inline constexpr std::uint32_t config = 0x100;
} // namespace reg

inline constexpr std::uint32_t magic_value = 0x74726976; // "virt", little endian

// One `virtio_mmio.device=` value.
struct Spec {
    std::uint64_t base;
    std::uint64_t size;
    std::uint32_t irq;
    std::optional<std::uint32_t> id;
};

// Parses `<size>@<base>:<irq>[:<id>]`; sizes take K/M/G suffixes, numbers are
// decimal or 0x hex (as the Linux virtio_mmio driver reads them).
std::optional<Spec> parse_spec(std::string_view text);

struct Device {
    Spec spec;
    // The interrupt line as firmware describes it (level, active high on QEMU;
    // command-line devices get that default).
    irq::Line line;
    std::uint32_t version;   // 1 legacy, 2 virtio 1.x
    std::uint32_t device_id; // 1 = network card
    std::uint32_t vendor_id;
    volatile std::uint32_t* registers; // mapped, uncached

    std::uint32_t read32(std::uint32_t offset) const { return registers[offset / 4]; }
    void write32(std::uint32_t offset, std::uint32_t value) const { registers[offset / 4] = value; }
};

std::span<const Device> devices();

} // namespace os::virtio_mmio
