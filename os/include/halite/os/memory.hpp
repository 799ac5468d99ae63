// Memory for drivers. On an image virtual addresses are physical addresses
// (identity mapping), so a buffer's bus address is its pointer value; free RAM
// is unmapped until allocated, page 0 is never mapped, and code is read-only.
// malloc/new work as usual (musl's allocator over the kernel's brk/mmap).
#pragma once

#include <halite/os/result.hpp>

#include <cstddef>
#include <cstdint>

namespace os::memory {

inline constexpr std::size_t page_size = 4096;

// The physical (bus) address of `pointer`, for DMA descriptors. Identity on an
// image; Errc::unsupported on linux.
Result<std::uint64_t> virt_to_phys(const void* pointer);

// Physically contiguous, page-aligned, zero-filled memory for DMA rings and
// buffers. Release with free_pages(pointer, bytes).
Result<void*> alloc_pages(std::size_t bytes);
void free_pages(void* pointer, std::size_t bytes);

// Maps device registers (uncached, read-write, never executable) and returns
// their address. Errc::invalid_argument when the range overlaps RAM.
Result<volatile void*> map_mmio(std::uint64_t physical, std::size_t bytes);

struct Stats {
    std::size_t ram_bytes;        // usable RAM the kernel manages
    std::size_t free_bytes;       // not handed out
    std::size_t heap_bytes;       // handed to musl (brk + mmap)
    std::size_t page_table_bytes; // page tables
};
Stats stats();

} // namespace os::memory
