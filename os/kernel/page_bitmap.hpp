// One bit per page over caller-provided storage: the building block of the page
// allocator and of the kernel's record of which pages musl owns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace os::kernel {

class PageBitmap {
public:
    static constexpr std::size_t words_for(std::uint64_t pages) { return (pages + 63) / 64; }

    // Covers pages [0, pages); every bit starts as `value`.
    void init(std::span<std::uint64_t> storage, std::uint64_t pages, bool value);

    std::uint64_t pages() const noexcept { return pages_; }
    bool test(std::uint64_t page) const noexcept;
    void assign(std::uint64_t first, std::uint64_t count, bool value) noexcept;
    // Whether every page of the range is inside the bitmap and has `value`.
    bool all(std::uint64_t first, std::uint64_t count, bool value) const noexcept;
    // Pages of the range that have `value`.
    std::uint64_t count(std::uint64_t first, std::uint64_t count, bool value) const noexcept;
    // The first page at or after `from` whose bit is `value`, or pages().
    std::uint64_t find(std::uint64_t from, bool value) const noexcept;

private:
    std::span<std::uint64_t> words_;
    std::uint64_t pages_ = 0;
};

} // namespace os::kernel
