#include "acpi.hpp"

#include <cstring>
#include <string_view>

namespace os::kernel::acpi {

namespace {

template <class T>
T load(std::span<const std::byte> b, std::size_t at) {
    T v{};
    if (at + sizeof(T) <= b.size()) std::memcpy(&v, b.data() + at, sizeof v);
    return v;
}

bool signature_is(std::span<const std::byte> b, std::string_view sig) {
    return b.size() >= sig.size() && std::memcmp(b.data(), sig.data(), sig.size()) == 0;
}

bool checksum_ok(std::span<const std::byte> b) {
    std::uint8_t sum = 0;
    for (auto c : b)
        sum = static_cast<std::uint8_t>(sum + static_cast<std::uint8_t>(c));
    return sum == 0;
}

// A whole system description table (5.2.6): header first, for its length.
std::span<const std::byte> table(PhysicalReader& memory, std::uint64_t address) {
    if (address == 0) return {};
    const auto header = memory.read(address, 36);
    if (header.size() < 36) return {};
    const auto length = load<std::uint32_t>(header, 4);
    if (length < 36 || length > (16u << 20)) return {};
    const auto whole = memory.read(address, length);
    if (whole.size() != length || !checksum_ok(whole)) return {};
    return whole;
}

GenericAddress gas(std::span<const std::byte> b, std::size_t at) {
    return {load<std::uint8_t>(b, at), load<std::uint8_t>(b, at + 1), load<std::uint64_t>(b, at + 4)};
}

void parse_fadt(PhysicalReader& memory, std::span<const std::byte> fadt, Info& info) {
    // Field offsets: ACPI 6.4, table 5.9.
    info.smi_command = static_cast<std::uint16_t>(load<std::uint32_t>(fadt, 48));
    info.acpi_enable = load<std::uint8_t>(fadt, 52);
    info.pm1a_control = load<std::uint32_t>(fadt, 64);
    info.pm1b_control = load<std::uint32_t>(fadt, 68);
    info.century_register = load<std::uint8_t>(fadt, 108);
    const auto flags = load<std::uint32_t>(fadt, 112);
    info.hardware_reduced = (flags & (1u << 20)) != 0;
    if (fadt.size() >= 129 && (flags & (1u << 10)) != 0) { // RESET_REG_SUP
        info.reset_register = gas(fadt, 116);
        info.reset_value = load<std::uint8_t>(fadt, 128);
    }
    if (fadt.size() >= 256) {
        const auto sleep = gas(fadt, 244);
        if (sleep.address != 0) info.sleep_control = sleep;
    }
    std::uint64_t dsdt = load<std::uint32_t>(fadt, 40);
    if (fadt.size() >= 148 && load<std::uint64_t>(fadt, 140) != 0) dsdt = load<std::uint64_t>(fadt, 140);
    if (const auto aml = table(memory, dsdt); !aml.empty()) {
        if (const auto s5 = find_s5(aml.subspan(36))) {
            info.s5_type_a = s5->first;
            info.s5_type_b = s5->second;
        }
        info.virtio_mmio = find_virtio_mmio(aml.subspan(36));
    }
}

void parse_madt(std::span<const std::byte> madt, Info& info) {
    info.lapic_address = load<std::uint32_t>(madt, 36);
    for (std::size_t at = 44; at + 2 <= madt.size();) {
        const auto type = load<std::uint8_t>(madt, at);
        const auto length = load<std::uint8_t>(madt, at + 1);
        if (length < 2 || at + length > madt.size()) break;
        if (type == 1 && length >= 12) { // I/O APIC
            info.ioapics.push_back(
                Info::IoApic{load<std::uint32_t>(madt, at + 4), load<std::uint32_t>(madt, at + 8)});
        } else if (type == 2 && length >= 10) { // interrupt source override
            const auto flags = load<std::uint16_t>(madt, at + 8);
            info.overrides.push_back(InterruptOverride{load<std::uint8_t>(madt, at + 3),
                                                       load<std::uint32_t>(madt, at + 4),
                                                       (flags & 0x3) == 0x3, ((flags >> 2) & 0x3) == 0x3});
        } else if (type == 5 && length >= 12) { // 64-bit local APIC address override
            info.lapic_address = load<std::uint64_t>(madt, at + 4);
        }
        at += length;
    }
}

// An AML integer constant at `at` (ByteConst, ZeroOp, OneOp; 20.2.3).
std::optional<std::pair<std::uint8_t, std::size_t>> aml_small_integer(std::span<const std::byte> aml,
                                                                      std::size_t at) {
    if (at >= aml.size()) return std::nullopt;
    switch (static_cast<std::uint8_t>(aml[at])) {
    case 0x00:
        return std::pair<std::uint8_t, std::size_t>{0, at + 1};
    case 0x01:
        return std::pair<std::uint8_t, std::size_t>{1, at + 1};
    case 0x0a:
        if (at + 1 >= aml.size()) return std::nullopt;
        return std::pair<std::uint8_t, std::size_t>{static_cast<std::uint8_t>(aml[at + 1]), at + 2};
    default:
        return std::nullopt;
    }
}

} // namespace

std::optional<std::pair<std::uint8_t, std::uint8_t>> find_s5(std::span<const std::byte> aml) {
    for (std::size_t i = 0; i + 8 < aml.size(); ++i) {
        if (std::memcmp(aml.data() + i, "_S5_", 4) != 0) continue;
        // NameOp (0x08), optionally with a root prefix '\', then the name.
        const bool named =
            i >= 1 && (static_cast<std::uint8_t>(aml[i - 1]) == 0x08 ||
                       (i >= 2 && aml[i - 1] == std::byte{'\\'} && aml[i - 2] == std::byte{0x08}));
        std::size_t at = i + 4;
        if (!named || static_cast<std::uint8_t>(aml[at]) != 0x12) continue; // PackageOp
        ++at;
        const auto lead = static_cast<std::uint8_t>(aml[at]);
        at += 1 + (lead >> 6); // PkgLength: bits 7-6 count the extra bytes
        ++at;                  // NumElements
        const auto a = aml_small_integer(aml, at);
        if (!a) continue;
        const auto b = aml_small_integer(aml, a->second);
        return std::pair<std::uint8_t, std::uint8_t>{a->first, b ? b->first : std::uint8_t{0}};
    }
    return std::nullopt;
}

namespace {

bool matches(std::span<const std::byte> aml, std::size_t at, std::string_view text) {
    return at + text.size() <= aml.size() && std::memcmp(aml.data() + at, text.data(), text.size()) == 0;
}

// PkgLength (20.2.4): the lead byte's bits 7-6 count the extra bytes. Returns
// the length and where the data after the encoding starts.
std::optional<std::pair<std::size_t, std::size_t>> package_length(std::span<const std::byte> aml,
                                                                  std::size_t at) {
    if (at >= aml.size()) return std::nullopt;
    const auto lead = static_cast<std::uint8_t>(aml[at]);
    const unsigned extra = lead >> 6;
    if (at + 1 + extra > aml.size()) return std::nullopt;
    std::size_t length = extra == 0 ? (lead & 0x3f) : (lead & 0x0f);
    for (unsigned i = 0; i < extra; ++i)
        length |= std::size_t{static_cast<std::uint8_t>(aml[at + 1 + i])} << (4 + 8 * i);
    return std::pair<std::size_t, std::size_t>{length, at + 1 + extra};
}

// Fills `out` from the resource descriptors of a _CRS buffer.
bool parse_crs(std::span<const std::byte> buffer, VirtioMmioResource& out) {
    bool memory = false, interrupt = false;
    for (std::size_t at = 0; at < buffer.size();) {
        const auto tag = static_cast<std::uint8_t>(buffer[at]);
        if ((tag & 0x80) == 0) {           // small descriptor: length in bits 2-0
            if ((tag >> 3) == 0x0f) break; // end tag
            at += 1 + (tag & 0x7);
            continue;
        }
        if (at + 3 > buffer.size()) break;
        const std::size_t length = load<std::uint16_t>(buffer, at + 1);
        const auto body = buffer.subspan(at + 3, std::min(length, buffer.size() - at - 3));
        if (tag == 0x86 && body.size() >= 9 && !memory) { // Memory32Fixed
            out.base = load<std::uint32_t>(body, 1);
            out.size = load<std::uint32_t>(body, 5);
            memory = true;
        } else if (tag == 0x89 && body.size() >= 6 && !interrupt) { // Extended Interrupt
            const auto flags = load<std::uint8_t>(body, 0);
            out.level = (flags & 0x02) == 0;
            out.active_low = (flags & 0x04) != 0;
            out.irq = load<std::uint32_t>(body, 2);
            interrupt = load<std::uint8_t>(body, 1) >= 1;
        }
        at += 3 + length;
    }
    return memory && interrupt;
}

} // namespace

StaticVector<VirtioMmioResource, 32> find_virtio_mmio(std::span<const std::byte> aml) {
    StaticVector<VirtioMmioResource, 32> found;
    constexpr std::string_view hid{"\x0dLNRO0005\0", 10}; // StringPrefix, text, NUL
    for (std::size_t i = 0; i + hid.size() <= aml.size(); ++i) {
        if (!matches(aml, i, hid)) continue;
        // The device's _CRS follows its _HID closely; stop at the next device.
        const std::size_t limit = std::min(aml.size(), i + 256);
        for (std::size_t j = i + hid.size(); j + 6 < limit; ++j) {
            if (matches(aml, j, hid)) break;
            if (!matches(aml, j, "_CRS") || static_cast<std::uint8_t>(aml[j + 4]) != 0x11)
                continue; // BufferOp
            const auto pkg = package_length(aml, j + 5);
            if (!pkg) break;
            const std::size_t end = j + 5 + pkg->first; // PkgLength counts itself
            std::size_t data = pkg->second;
            // BufferSize: BytePrefix or WordPrefix integer.
            if (data < aml.size() && static_cast<std::uint8_t>(aml[data]) == 0x0a) {
                data += 2;
            } else if (data < aml.size() && static_cast<std::uint8_t>(aml[data]) == 0x0b) {
                data += 3;
            } else {
                break;
            }
            if (end > aml.size() || data > end) break;
            VirtioMmioResource r{};
            if (parse_crs(aml.subspan(data, end - data), r)) found.push_back(r);
            break;
        }
    }
    return found;
}

Info parse(PhysicalReader& memory, std::uint64_t rsdp_address) {
    Info info;
    if (rsdp_address == 0) return info;
    // ACPI 1.0 RSDPs are 20 bytes; revision 2 adds the XSDT address (5.2.5.3).
    auto rsdp = memory.read(rsdp_address, 20);
    if (rsdp.size() < 20 || !signature_is(rsdp, "RSD PTR ") || !checksum_ok(rsdp)) return info;
    info.revision = load<std::uint8_t>(rsdp, 15);
    if (info.revision >= 2) rsdp = memory.read(rsdp_address, 36);
    std::span<const std::byte> root;
    std::size_t pointer_size = 4;
    if (info.revision >= 2 && rsdp.size() >= 36 && load<std::uint64_t>(rsdp, 24) != 0) {
        root = table(memory, load<std::uint64_t>(rsdp, 24));
        pointer_size = 8;
    }
    if (root.empty()) {
        root = table(memory, load<std::uint32_t>(rsdp, 16));
        pointer_size = 4;
    }
    if (root.empty()) return info;
    info.present = true;
    for (std::size_t at = 36; at + pointer_size <= root.size(); at += pointer_size) {
        const std::uint64_t address =
            pointer_size == 8 ? load<std::uint64_t>(root, at) : std::uint64_t{load<std::uint32_t>(root, at)};
        const auto t = table(memory, address);
        if (signature_is(t, "FACP")) parse_fadt(memory, t, info);
        if (signature_is(t, "APIC")) parse_madt(t, info);
    }
    return info;
}

InterruptOverride isa_irq(const Info& info, std::uint8_t irq) {
    for (const auto& o : info.overrides) {
        if (o.irq == irq) return o;
    }
    return InterruptOverride{irq, irq, false, false};
}

} // namespace os::kernel::acpi
