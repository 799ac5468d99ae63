#include "page_table.hpp"

namespace os::arch {

std::uint64_t leaf_entry(std::uint64_t physical, Access access, Caching caching) {
    std::uint64_t e = (physical & pte::address_mask) | pte::present;
    switch (access) {
    case Access::none:
        return 0;
    case Access::read:
        e |= pte::no_execute;
        break;
    case Access::read_write:
        e |= pte::writable | pte::no_execute;
        break;
    case Access::read_execute:
        break;
    }
    if (caching == Caching::uncached) e |= pte::cache_disable | pte::write_through;
    return e;
}

std::uint64_t* PageTables::slot(std::uint64_t virt, bool create) {
    std::uint64_t table = root_;
    for (int shift = 39; shift > 12; shift -= 9) {
        std::uint64_t& e = memory_.table(table)[(virt >> shift) & 0x1ff];
        if ((e & pte::present) == 0) {
            if (!create) return nullptr;
            const auto page = memory_.allocate_table();
            if (!page) return nullptr;
            ++table_pages_;
            // Intermediate levels allow everything; the leaf decides.
            e = (*page & pte::address_mask) | pte::present | pte::writable;
        } else if ((e & pte::large) != 0) {
            return nullptr;
        }
        table = e & pte::address_mask;
    }
    return &memory_.table(table)[(virt >> 12) & 0x1ff];
}

bool PageTables::map(std::uint64_t virt, std::uint64_t physical, Access access, Caching caching) {
    std::uint64_t* e = slot(virt, true);
    if (e == nullptr) return false;
    *e = leaf_entry(physical, access, caching);
    return true;
}

bool PageTables::unmap(std::uint64_t virt) {
    std::uint64_t* e = slot(virt, false);
    if (e == nullptr) return false;
    *e = 0;
    return true;
}

bool PageTables::reserve_tables(std::uint64_t virt, std::uint64_t bytes) {
    const std::uint64_t end = virt + bytes;
    for (std::uint64_t v = virt & ~0x1fffffull; v < end; v += 0x200000) {
        if (slot(v, true) == nullptr) return false;
    }
    return true;
}

std::uint64_t PageTables::entry(std::uint64_t virt) const {
    std::uint64_t table = root_;
    for (int shift = 39; shift > 12; shift -= 9) {
        const std::uint64_t e = memory_.table(table)[(virt >> shift) & 0x1ff];
        if ((e & pte::present) == 0 || (e & pte::large) != 0) return 0;
        table = e & pte::address_mask;
    }
    return memory_.table(table)[(virt >> 12) & 0x1ff];
}

} // namespace os::arch
