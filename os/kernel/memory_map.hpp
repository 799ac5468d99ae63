// The physical memory map as firmware reports it (PVH start info, E820 types),
// turned into the page-aligned RAM ranges the kernel may hand out. Fixed
// capacity: this runs before the heap exists.
#pragma once

#include "static_vector.hpp"

#include <cstdint>
#include <span>

namespace os::kernel {

enum class MemoryType : std::uint32_t {
    ram = 1,
    reserved = 2,
    acpi_reclaimable = 3,
    acpi_nvs = 4,
    unusable = 5,
    disabled = 6,
    persistent = 7,
};

const char* to_string(MemoryType type) noexcept;

struct MemoryRegion {
    std::uint64_t base;
    std::uint64_t size;
    MemoryType type;
};

// A half-open physical range [begin, end).
struct PhysRange {
    std::uint64_t begin;
    std::uint64_t end;
    std::uint64_t size() const noexcept { return end - begin; }
    bool contains(std::uint64_t a) const noexcept { return a >= begin && a < end; }
    bool overlaps(PhysRange o) const noexcept { return begin < o.end && o.begin < end; }
};

inline constexpr std::size_t max_memory_regions = 128;
inline constexpr std::size_t max_usable_ranges = 160;
using UsableRanges = StaticVector<PhysRange, max_usable_ranges>;

class MemoryMap {
public:
    // Regions beyond capacity are dropped (and counted).
    void add(MemoryRegion region);
    std::span<const MemoryRegion> regions() const noexcept { return regions_.span(); }
    std::size_t dropped() const noexcept { return dropped_; }

    // RAM ranges, page-aligned inwards, sorted and merged, where no non-RAM
    // region overlaps (firmware maps may overlap; anything reserved wins), at
    // or above `floor`, minus `exclude`.
    UsableRanges usable(std::span<const PhysRange> exclude, std::uint64_t floor) const;

    // Whether [begin, end) touches a RAM region (to refuse MMIO mappings there).
    bool overlaps_ram(PhysRange range) const;
    // One past the highest RAM byte.
    std::uint64_t ram_end() const;

private:
    StaticVector<MemoryRegion, max_memory_regions> regions_;
    std::size_t dropped_ = 0;
};

// Removes `cut` from every range of `ranges` (splitting where needed).
void subtract(UsableRanges& ranges, PhysRange cut);

} // namespace os::kernel
