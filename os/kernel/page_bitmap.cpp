#include "page_bitmap.hpp"

#include <algorithm>
#include <bit>

namespace os::kernel {

void PageBitmap::init(std::span<std::uint64_t> storage, std::uint64_t pages, bool value) {
    words_ = storage.first(words_for(pages));
    pages_ = pages;
    std::fill(words_.begin(), words_.end(), value ? ~std::uint64_t{0} : 0);
}

bool PageBitmap::test(std::uint64_t page) const noexcept {
    return page < pages_ && (words_[page / 64] >> (page % 64) & 1) != 0;
}

void PageBitmap::assign(std::uint64_t first, std::uint64_t count, bool value) noexcept {
    if (first >= pages_) return;
    const std::uint64_t end = first + std::min(count, pages_ - first);
    for (std::uint64_t p = first; p < end;) {
        const std::uint64_t bit = p % 64;
        const std::uint64_t n = std::min<std::uint64_t>(64 - bit, end - p);
        const std::uint64_t mask = (n == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1) << bit;
        if (value) {
            words_[p / 64] |= mask;
        } else {
            words_[p / 64] &= ~mask;
        }
        p += n;
    }
}

std::uint64_t PageBitmap::find(std::uint64_t from, bool value) const noexcept {
    while (from < pages_) {
        const std::uint64_t word = (value ? words_[from / 64] : ~words_[from / 64]) >> (from % 64);
        if (word != 0) return std::min(pages_, from + static_cast<std::uint64_t>(std::countr_zero(word)));
        from = (from / 64 + 1) * 64;
    }
    return pages_;
}

bool PageBitmap::all(std::uint64_t first, std::uint64_t count, bool value) const noexcept {
    if (first >= pages_ || count > pages_ - first) return false;
    return find(first, !value) >= first + count;
}

std::uint64_t PageBitmap::count(std::uint64_t first, std::uint64_t count, bool value) const noexcept {
    std::uint64_t n = 0;
    for (std::uint64_t p = first; p < first + count && p < pages_; ++p) {
        if (test(p) == value) ++n;
    }
    return n;
}

} // namespace os::kernel
