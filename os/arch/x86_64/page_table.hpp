// Four-level x86-64 page tables (Intel SDM vol. 3A, 4.5), 4 KiB mappings only:
// every page can get its own rights (W^X, guard pages, PROT_NONE). Pure logic
// over an abstract view of physical memory, so it is unit-tested on the host;
// the kernel's view is the identity mapping.
#pragma once

#include <cstdint>
#include <optional>

namespace os::arch {

namespace pte {
inline constexpr std::uint64_t present = 1ull << 0;
inline constexpr std::uint64_t writable = 1ull << 1;
inline constexpr std::uint64_t user = 1ull << 2;
inline constexpr std::uint64_t write_through = 1ull << 3;
inline constexpr std::uint64_t cache_disable = 1ull << 4;
inline constexpr std::uint64_t large = 1ull << 7;
inline constexpr std::uint64_t global = 1ull << 8;
inline constexpr std::uint64_t no_execute = 1ull << 63;
inline constexpr std::uint64_t address_mask = 0x000ffffffffff000ull;
} // namespace pte

enum class Access : std::uint8_t { none, read, read_write, read_execute };
enum class Caching : std::uint8_t { normal, uncached };

// The leaf entry for a page with these rights (0 for Access::none: not present).
std::uint64_t leaf_entry(std::uint64_t physical, Access access, Caching caching);

class PageTables {
public:
    class Memory {
    public:
        virtual ~Memory() = default;
        // The 512 entries of the table page at `physical`.
        virtual std::uint64_t* table(std::uint64_t physical) = 0;
        // A new zeroed page for a table, or nullopt when memory is exhausted.
        virtual std::optional<std::uint64_t> allocate_table() = 0;
    };

    // `root` is the physical address of a zeroed PML4 page.
    PageTables(Memory& memory, std::uint64_t root) : memory_(memory), root_(root) {}

    std::uint64_t root() const noexcept { return root_; }

    // Maps one 4 KiB page, creating intermediate tables as needed. False when
    // a table cannot be allocated or a large page is in the way.
    bool map(std::uint64_t virt, std::uint64_t physical, Access access, Caching caching = Caching::normal);
    // Clears the page's entry; false when no table covers it.
    bool unmap(std::uint64_t virt);
    // Creates the tables that cover [virt, virt + bytes) without mapping
    // anything, so later map() calls there never allocate.
    bool reserve_tables(std::uint64_t virt, std::uint64_t bytes);
    // The leaf entry for `virt` (0 if none), and the number of table pages.
    std::uint64_t entry(std::uint64_t virt) const;
    std::uint64_t table_pages() const noexcept { return table_pages_; }

private:
    // The leaf entry slot for `virt`, creating tables if `create`.
    std::uint64_t* slot(std::uint64_t virt, bool create);

    Memory& memory_;
    std::uint64_t root_;
    std::uint64_t table_pages_ = 1;
};

} // namespace os::arch
