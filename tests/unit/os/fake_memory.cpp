// os::memory for host tests of drivers: page-aligned heap memory, bus address = pointer (as on an image,
// where RAM is identity-mapped).
#include <halite/os/memory.hpp>

#include <cstdlib>
#include <cstring>

namespace os::memory {

Result<std::uint64_t> virt_to_phys(const void* pointer) {
    return reinterpret_cast<std::uint64_t>(pointer);
}

Result<void*> alloc_pages(std::size_t bytes) {
    const std::size_t size = (bytes + page_size - 1) / page_size * page_size;
    void* p = std::aligned_alloc(page_size, size);
    if (p == nullptr) return Error{Errc::out_of_memory, "alloc_pages"};
    std::memset(p, 0, size);
    return p;
}

void free_pages(void* pointer, std::size_t) {
    std::free(pointer);
}

} // namespace os::memory
