// Physical page allocator: a bitmap (set = in use) over caller-provided storage,
// first fit from the lowest free page. Allocations are physically contiguous
// runs, which DMA and musl's large mmap requests need. 1 GiB of RAM costs
// 32 KiB of bitmap.
#pragma once

#include "page_bitmap.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace os::kernel {

class PageAllocator {
public:
    static constexpr std::uint64_t page_size = 4096;
    static constexpr std::size_t words_for(std::uint64_t pages) { return PageBitmap::words_for(pages); }

    // Covers pages [0, page_count); every page starts in use.
    void init(std::span<std::uint64_t> bitmap, std::uint64_t page_count);
    // Boot time: hands [first, first + count) to the allocator.
    void add_free(std::uint64_t first, std::uint64_t count);

    // `count` contiguous free pages whose first page number is a multiple of
    // `align` (a power of two); marks them used.
    std::optional<std::uint64_t> allocate(std::uint64_t count, std::uint64_t align = 1);
    // Exactly [first, first + count), if every page there is free.
    bool allocate_at(std::uint64_t first, std::uint64_t count);
    // Returns pages. False, and nothing changes, if any page is outside the
    // allocator or already free (a double free). Callers must only return
    // pages they got from allocate(): the allocator cannot tell those from
    // pages that were never free.
    bool free(std::uint64_t first, std::uint64_t count);

    bool is_free(std::uint64_t page) const noexcept { return page < used_.pages() && !used_.test(page); }
    bool range_free(std::uint64_t first, std::uint64_t count) const noexcept {
        return used_.all(first, count, false);
    }
    std::uint64_t free_pages() const noexcept { return free_; }
    std::uint64_t managed_pages() const noexcept { return managed_; }
    std::uint64_t page_count() const noexcept { return used_.pages(); }

private:
    PageBitmap used_;
    std::uint64_t free_ = 0;
    std::uint64_t managed_ = 0;
    std::uint64_t lowest_free_ = 0; // no free page below this one
};

} // namespace os::kernel
