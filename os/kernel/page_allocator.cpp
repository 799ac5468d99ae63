#include "page_allocator.hpp"

#include <algorithm>

namespace os::kernel {

void PageAllocator::init(std::span<std::uint64_t> bitmap, std::uint64_t page_count) {
    used_.init(bitmap, page_count, true);
    free_ = managed_ = 0;
    lowest_free_ = page_count;
}

void PageAllocator::add_free(std::uint64_t first, std::uint64_t count) {
    if (first >= used_.pages()) return;
    count = std::min(count, used_.pages() - first);
    const std::uint64_t added = used_.count(first, count, true);
    free_ += added;
    managed_ += added;
    used_.assign(first, count, false);
    lowest_free_ = std::min(lowest_free_, first);
}

std::optional<std::uint64_t> PageAllocator::allocate(std::uint64_t count, std::uint64_t align) {
    if (count == 0 || count > free_ || align == 0 || (align & (align - 1)) != 0) return std::nullopt;
    const std::uint64_t pages = used_.pages();
    std::uint64_t p = used_.find(lowest_free_, false);
    while (p < pages) {
        p = (p + align - 1) & ~(align - 1);
        if (p >= pages || count > pages - p) break;
        const std::uint64_t used = used_.find(p, true);
        if (used >= p + count) {
            used_.assign(p, count, true);
            free_ -= count;
            if (p <= lowest_free_) lowest_free_ = used_.find(p + count, false);
            return p;
        }
        p = used_.find(used, false);
    }
    return std::nullopt;
}

bool PageAllocator::allocate_at(std::uint64_t first, std::uint64_t count) {
    if (count == 0 || !used_.all(first, count, false)) return false;
    used_.assign(first, count, true);
    free_ -= count;
    if (first <= lowest_free_) lowest_free_ = used_.find(lowest_free_, false);
    return true;
}

bool PageAllocator::free(std::uint64_t first, std::uint64_t count) {
    if (count == 0 || !used_.all(first, count, true)) return false;
    used_.assign(first, count, false);
    free_ += count;
    lowest_free_ = std::min(lowest_free_, first);
    return true;
}

} // namespace os::kernel
