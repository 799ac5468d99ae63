// The image's memory manager. Physical memory is identity-mapped with 4 KiB
// pages: the image with W^X rights, every stack with an unmapped guard page
// below it, page 0 and everything below 1 MiB never mapped, free RAM unmapped
// until it is handed out. musl's malloc gets memory through brk and mmap,
// drivers through os::memory::alloc_pages, device registers through map_mmio.
#include "kernel.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/page_table.hpp"
#include "arch/x86_64/stacks.hpp"
#include "page_allocator.hpp"
#include "page_bitmap.hpp"
#include "singleton.hpp"

#include <halite/os/memory.hpp>
#include <halite/os/system.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/mman.h>

extern "C" char __image_start[], __text_start[], __text_end[], __data_start[], __image_end[];

namespace os::kernel::memory {

namespace {

using arch::Access;
using arch::Caching;
constexpr std::uint64_t page = 4096;
constexpr std::uint64_t low_memory_end = 1ull << 20;
constexpr std::uint64_t boot_map_end = 1ull << 30; // boot.S maps the first GiB

std::uint64_t addr(const char* p) {
    return reinterpret_cast<std::uint64_t>(p);
}
std::uint64_t pages_for(std::uint64_t bytes) {
    return (bytes + page - 1) / page;
}

class Manager final : public arch::PageTables::Memory {
public:
    void init(const MemoryMap& map);

    std::uint64_t* table(std::uint64_t physical) override {
        return reinterpret_cast<std::uint64_t*>(physical);
    }
    std::optional<std::uint64_t> allocate_table() override;

    // Pages handed out: owned by musl (brk, mmap) or by drivers (alloc_pages).
    std::optional<std::uint64_t> take(std::uint64_t count, PageBitmap& owner);
    bool take_at(std::uint64_t first, std::uint64_t count, PageBitmap& owner);
    void give_back(std::uint64_t first, std::uint64_t count, PageBitmap& owner);
    void protect(std::uint64_t first, std::uint64_t count, Access access);

    MemoryMap map_;
    PageAllocator pages_;
    PageBitmap heap_;
    PageBitmap driver_;
    std::optional<arch::PageTables> tables_;
    bool booting_ = true;
    StaticVector<PhysRange, 64> boot_allocations_;
    std::uint64_t brk_base_ = 0, brk_limit_ = 0, brk_current_ = 0, brk_mapped_end_ = 0;
    std::uint64_t heap_pages_ = 0, driver_pages_ = 0;
};

constinit Singleton<Manager> manager;

void set_entry(std::uint64_t virt, std::uint64_t physical, Access access, Caching caching = Caching::normal) {
    const bool was_present = (manager->tables_->entry(virt) & arch::pte::present) != 0;
    if (access == Access::none) {
        manager->tables_->unmap(virt);
    } else if (!manager->tables_->map(virt, physical, access, caching)) {
        os::panic("page tables: out of memory");
    }
    if (was_present) arch::invlpg(virt);
}

void map_range(std::uint64_t begin, std::uint64_t end, Access access) {
    for (std::uint64_t p = begin & ~(page - 1); p < end; p += page)
        set_entry(p, p, access);
}

} // namespace

std::optional<std::uint64_t> Manager::allocate_table() {
    const auto p = pages_.allocate(1);
    if (!p) return std::nullopt;
    const std::uint64_t physical = *p * page;
    if (booting_) {
        if (physical + page > boot_map_end) return std::nullopt; // not writable yet
        auto& last = boot_allocations_;
        if (!last.empty() && last[last.size() - 1].end == physical) {
            last[last.size() - 1].end += page;
        } else if (!last.push_back(PhysRange{physical, physical + page})) {
            return std::nullopt;
        }
    } else {
        // Every RAM page has a table since boot, so this maps without recursion.
        set_entry(physical, physical, Access::read_write);
    }
    std::memset(table(physical), 0, page);
    return physical;
}

void Manager::init(const MemoryMap& map) {
    map_ = map;
    const PhysRange image{addr(__image_start), addr(__image_end)};
    const auto usable = map_.usable(std::span<const PhysRange>(&image, 1), low_memory_end);
    if (usable.empty()) os::panic("no usable RAM above 1 MiB");
    const std::uint64_t page_count = usable[usable.size() - 1].end / page;

    // Three bitmaps (free pages, musl's pages, drivers' pages) from the first
    // range big enough, inside the boot mapping.
    const std::size_t words = PageBitmap::words_for(page_count);
    const std::uint64_t bitmap_bytes = 3 * words * sizeof(std::uint64_t);
    std::uint64_t bitmap_at = 0;
    for (const auto& r : usable) {
        if (r.size() >= bitmap_bytes && r.begin + bitmap_bytes <= boot_map_end) {
            bitmap_at = r.begin;
            break;
        }
    }
    if (bitmap_at == 0) os::panic("no room for the page bitmaps");
    auto* storage = reinterpret_cast<std::uint64_t*>(bitmap_at);
    pages_.init(std::span<std::uint64_t>(storage, words), page_count);
    heap_.init(std::span<std::uint64_t>(storage + words, words), page_count, false);
    driver_.init(std::span<std::uint64_t>(storage + 2 * words, words), page_count, false);
    for (const auto& r : usable)
        pages_.add_free(r.begin / page, r.size() / page);
    pages_.allocate_at(bitmap_at / page, pages_for(bitmap_bytes));
    boot_allocations_.push_back(PhysRange{bitmap_at, bitmap_at + pages_for(bitmap_bytes) * page});

    // Tables for all RAM and the image now, so later mappings never need a
    // table page that is not yet mapped.
    const auto root = allocate_table();
    if (!root) os::panic("no memory for page tables");
    tables_.emplace(*this, *root);
    for (const auto& r : usable) {
        if (!tables_->reserve_tables(r.begin, r.size())) os::panic("no memory for page tables");
    }
    if (!tables_->reserve_tables(image.begin, image.size())) os::panic("no memory for page tables");

    // The image: headers and constants R, code RX, symbol table R, data RW.
    map_range(addr(__image_start), addr(__text_start), Access::read);
    map_range(addr(__text_start), addr(__text_end), Access::read_execute);
    map_range(addr(__text_end), addr(__data_start), Access::read);
    map_range(addr(__data_start), addr(__image_end), Access::read_write);
    for (const auto& s : arch::stacks())
        set_entry(s.guard, s.guard, Access::none);
    for (const auto& r : boot_allocations_)
        map_range(r.begin, r.end, Access::read_write);

    arch::write_cr3(tables_->root());
    booting_ = false;

    // brk grows at the top of the largest range (first fit hands out low pages
    // first, so it stays free longest); when it cannot grow musl uses mmap.
    PhysRange largest = usable[0];
    for (const auto& r : usable) {
        if (r.size() > largest.size()) largest = r;
    }
    const std::uint64_t window = std::min<std::uint64_t>(largest.size() / 8, 8ull << 20) & ~(page - 1);
    brk_limit_ = largest.end;
    brk_base_ = brk_current_ = brk_mapped_end_ = largest.end - window;
}

std::optional<std::uint64_t> Manager::take(std::uint64_t count, PageBitmap& owner) {
    const auto first = pages_.allocate(count);
    if (!first) return std::nullopt;
    owner.assign(*first, count, true);
    const std::uint64_t begin = *first * page;
    map_range(begin, begin + count * page, Access::read_write);
    std::memset(reinterpret_cast<void*>(begin), 0, count * page);
    (&owner == &heap_ ? heap_pages_ : driver_pages_) += count;
    return begin;
}

bool Manager::take_at(std::uint64_t first, std::uint64_t count, PageBitmap& owner) {
    if (!pages_.allocate_at(first, count)) return false;
    owner.assign(first, count, true);
    const std::uint64_t begin = first * page;
    map_range(begin, begin + count * page, Access::read_write);
    std::memset(reinterpret_cast<void*>(begin), 0, count * page);
    (&owner == &heap_ ? heap_pages_ : driver_pages_) += count;
    return true;
}

void Manager::give_back(std::uint64_t first, std::uint64_t count, PageBitmap& owner) {
    for (std::uint64_t p = first; p < first + count; ++p)
        set_entry(p * page, 0, Access::none);
    owner.assign(first, count, false);
    if (!pages_.free(first, count)) os::panic("page freed twice");
    (&owner == &heap_ ? heap_pages_ : driver_pages_) -= count;
}

void Manager::protect(std::uint64_t first, std::uint64_t count, Access access) {
    for (std::uint64_t p = first; p < first + count; ++p)
        set_entry(p * page, p * page, access);
}

void init(const MemoryMap& map) {
    manager.construct().init(map);
}

const MemoryMap& map() {
    return manager->map_;
}

bool map_firmware(std::uint64_t physical, std::size_t bytes) {
    for (std::uint64_t p = physical & ~(page - 1); p < physical + bytes; p += page) {
        if (p == 0) return false; // page 0 stays unmapped
        if ((manager->tables_->entry(p) & arch::pte::present) != 0) continue;
        if (!manager->tables_->map(p, p, Access::read)) return false;
    }
    return true;
}

bool readable(std::uint64_t address, std::size_t bytes) {
    if (!manager.constructed() || !manager->tables_) return false;
    for (std::uint64_t p = address & ~(page - 1); p < address + bytes; p += page) {
        if ((manager->tables_->entry(p) & arch::pte::present) == 0) return false;
    }
    return true;
}

namespace {

std::optional<Access> access_for(int prot) {
    if (prot & PROT_EXEC) return std::nullopt; // W^X: no executable heap
    if (prot & PROT_WRITE) return Access::read_write;
    if (prot & PROT_READ) return Access::read;
    return Access::none;
}

} // namespace

long sys_brk(std::uint64_t address) {
    Manager& m = *manager;
    if (address < m.brk_base_ || address > m.brk_limit_) return static_cast<long>(m.brk_current_);
    const std::uint64_t end = (address + page - 1) & ~(page - 1);
    if (end > m.brk_mapped_end_) {
        if (!m.take_at(m.brk_mapped_end_ / page, (end - m.brk_mapped_end_) / page, m.heap_))
            return static_cast<long>(m.brk_current_);
    } else if (end < m.brk_mapped_end_) {
        m.give_back(end / page, (m.brk_mapped_end_ - end) / page, m.heap_);
    }
    m.brk_mapped_end_ = end;
    m.brk_current_ = address;
    return static_cast<long>(address);
}

long sys_mmap(std::uint64_t address, std::uint64_t length, int prot, int flags, int fd,
              std::uint64_t offset) {
    Manager& m = *manager;
    if (length == 0 || length > (1ull << 46)) return -EINVAL;
    if ((flags & MAP_ANONYMOUS) == 0 || fd != -1 || offset != 0) return -ENODEV; // no files
    const auto access = access_for(prot);
    if (!access) return -EACCES;
    const std::uint64_t count = pages_for(length);
    std::uint64_t begin;
    if (flags & MAP_FIXED) {
        if (address & (page - 1)) return -EINVAL;
        // Only over musl's own pages or free RAM: never over the kernel.
        const std::uint64_t first = address / page;
        for (std::uint64_t p = first; p < first + count; ++p) {
            if (!m.heap_.test(p) && !m.pages_.is_free(p)) return -ENOMEM;
        }
        for (std::uint64_t p = first; p < first + count; ++p) {
            if (m.heap_.test(p)) {
                m.protect(p, 1, Access::read_write);
                std::memset(reinterpret_cast<void*>(p * page), 0, page);
            } else if (!m.take_at(p, 1, m.heap_)) {
                return -ENOMEM;
            }
        }
        begin = address;
    } else {
        const auto taken = m.take(count, m.heap_);
        if (!taken) return -ENOMEM;
        begin = *taken;
    }
    if (*access != Access::read_write) m.protect(begin / page, count, *access);
    return static_cast<long>(begin);
}

long sys_munmap(std::uint64_t address, std::uint64_t length) {
    Manager& m = *manager;
    if ((address & (page - 1)) != 0 || length == 0) return -EINVAL;
    const std::uint64_t first = address / page;
    const std::uint64_t count = pages_for(length);
    // Unmapping pages that are not musl's is allowed and does nothing (as on
    // Linux for holes); runs of musl's pages go back to the allocator.
    for (std::uint64_t p = first; p < first + count;) {
        if (!m.heap_.test(p)) {
            ++p;
            continue;
        }
        std::uint64_t run = 1;
        while (p + run < first + count && m.heap_.test(p + run))
            ++run;
        m.give_back(p, run, m.heap_);
        p += run;
    }
    return 0;
}

long sys_mprotect(std::uint64_t address, std::uint64_t length, int prot) {
    Manager& m = *manager;
    if ((address & (page - 1)) != 0) return -EINVAL;
    const auto access = access_for(prot);
    if (!access) return -EACCES;
    const std::uint64_t first = address / page;
    const std::uint64_t count = pages_for(length);
    if (!m.heap_.all(first, count, true)) return -ENOMEM;
    m.protect(first, count, *access);
    return 0;
}

} // namespace os::kernel::memory

namespace os::memory {

using os::kernel::memory::manager;

Result<std::uint64_t> virt_to_phys(const void* pointer) {
    return reinterpret_cast<std::uint64_t>(pointer);
}

Result<void*> alloc_pages(std::size_t bytes) {
    if (bytes == 0) return Error{Errc::invalid_argument, "alloc_pages: zero bytes"};
    const auto begin = manager->take((bytes + page_size - 1) / page_size, manager->driver_);
    if (!begin) return Error{Errc::out_of_memory, "alloc_pages"};
    return reinterpret_cast<void*>(*begin);
}

void free_pages(void* pointer, std::size_t bytes) {
    const auto begin = reinterpret_cast<std::uint64_t>(pointer);
    const std::uint64_t first = begin / page_size;
    const std::uint64_t count = (bytes + page_size - 1) / page_size;
    if ((begin & (page_size - 1)) != 0 || !manager->driver_.all(first, count, true))
        os::panic("free_pages: not pages from alloc_pages");
    manager->give_back(first, count, manager->driver_);
}

Result<volatile void*> map_mmio(std::uint64_t physical, std::size_t bytes) {
    if (bytes == 0) return Error{Errc::invalid_argument, "map_mmio: zero bytes"};
    if (physical + bytes < physical) return Error{Errc::invalid_argument, "map_mmio: range wraps"};
    if (manager->map_.overlaps_ram({physical, physical + bytes}))
        return Error{Errc::invalid_argument, "map_mmio: range is RAM"};
    for (std::uint64_t p = physical & ~(page_size - 1); p < physical + bytes; p += page_size) {
        const std::uint64_t wanted = arch::leaf_entry(p, arch::Access::read_write, arch::Caching::uncached);
        if (manager->tables_->entry(p) == wanted) continue;
        if (!manager->tables_->map(p, p, arch::Access::read_write, arch::Caching::uncached))
            return Error{Errc::out_of_memory, "map_mmio: page tables"};
        arch::invlpg(p);
    }
    return reinterpret_cast<volatile void*>(physical);
}

Stats stats() {
    const auto& m = *manager;
    return Stats{m.pages_.managed_pages() * page_size, m.pages_.free_pages() * page_size,
                 m.heap_pages_ * page_size, m.tables_->table_pages() * page_size};
}

} // namespace os::memory
