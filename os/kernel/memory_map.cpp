#include "memory_map.hpp"

#include <algorithm>

namespace os::kernel {

namespace {
constexpr std::uint64_t page = 4096;
std::uint64_t round_up(std::uint64_t v) {
    return (v + page - 1) & ~(page - 1);
}
std::uint64_t round_down(std::uint64_t v) {
    return v & ~(page - 1);
}
} // namespace

const char* to_string(MemoryType type) noexcept {
    switch (type) {
    case MemoryType::ram:
        return "ram";
    case MemoryType::reserved:
        return "reserved";
    case MemoryType::acpi_reclaimable:
        return "acpi";
    case MemoryType::acpi_nvs:
        return "acpi-nvs";
    case MemoryType::unusable:
        return "unusable";
    case MemoryType::disabled:
        return "disabled";
    case MemoryType::persistent:
        return "persistent";
    }
    return "other";
}

void MemoryMap::add(MemoryRegion region) {
    if (region.size == 0) return;
    if (region.base + region.size < region.base) region.size = ~std::uint64_t{0} - region.base; // clamp wrap
    if (!regions_.push_back(region)) ++dropped_;
}

void subtract(UsableRanges& ranges, PhysRange cut) {
    for (std::size_t i = 0; i < ranges.size();) {
        PhysRange r = ranges[i];
        if (!r.overlaps(cut)) {
            ++i;
            continue;
        }
        ranges.erase(i);
        // Re-insert the parts outside `cut`, keeping the order.
        if (r.begin < cut.begin) ranges.insert(i++, PhysRange{r.begin, cut.begin});
        if (cut.end < r.end) ranges.insert(i++, PhysRange{cut.end, r.end});
    }
}

UsableRanges MemoryMap::usable(std::span<const PhysRange> exclude, std::uint64_t floor) const {
    UsableRanges out;
    // RAM, page-aligned inwards, sorted by insertion.
    for (const auto& r : regions_) {
        if (r.type != MemoryType::ram) continue;
        PhysRange p{round_up(r.base), round_down(r.base + r.size)};
        if (p.begin < floor) p.begin = round_up(floor);
        if (p.begin >= p.end) continue;
        std::size_t at = 0;
        while (at < out.size() && out[at].begin < p.begin)
            ++at;
        out.insert(at, p);
    }
    // Merge overlapping or touching ranges.
    for (std::size_t i = 0; i + 1 < out.size();) {
        if (out[i + 1].begin <= out[i].end) {
            out[i].end = std::max(out[i].end, out[i + 1].end);
            out.erase(i + 1);
        } else {
            ++i;
        }
    }
    // Anything not RAM wins over RAM (pages touched by it are lost whole).
    for (const auto& r : regions_) {
        if (r.type == MemoryType::ram) continue;
        subtract(out, PhysRange{round_down(r.base), round_up(r.base + r.size)});
    }
    for (const auto& e : exclude)
        subtract(out, PhysRange{round_down(e.begin), round_up(e.end)});
    return out;
}

bool MemoryMap::overlaps_ram(PhysRange range) const {
    return std::any_of(regions_.begin(), regions_.end(), [&](const MemoryRegion& r) {
        return r.type == MemoryType::ram && range.overlaps(PhysRange{r.base, r.base + r.size});
    });
}

std::uint64_t MemoryMap::ram_end() const {
    std::uint64_t end = 0;
    for (const auto& r : regions_) {
        if (r.type == MemoryType::ram) end = std::max(end, r.base + r.size);
    }
    return end;
}

} // namespace os::kernel
