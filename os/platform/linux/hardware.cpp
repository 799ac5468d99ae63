// What a process does not have: interrupts, PCI, virtio-mmio, physical
// addresses. The API answers Errc::unsupported or empty lists, so code written
// for the image compiles and fails cleanly here. Page allocations still work
// (page-aligned heap memory), for code that uses them as plain buffers.
#include <halite/os/irq.hpp>
#include <halite/os/memory.hpp>
#include <halite/os/pci.hpp>
#include <halite/os/virtio_mmio.hpp>

#include <cstdlib>
#include <cstring>

namespace os {

namespace irq {
Result<Subscription> subscribe(Line, Handler) {
    return Error{Errc::unsupported, "no interrupts on linux"};
}
Result<Subscription> subscribe(std::uint32_t, Handler) {
    return Error{Errc::unsupported, "no interrupts on linux"};
}
void unsubscribe(Subscription) {}
Result<MsiMessage> allocate_msi(Handler) {
    return Error{Errc::unsupported, "no interrupts on linux"};
}
void free_msi(MsiMessage) {}
std::uint64_t count(std::uint8_t) {
    return 0;
}
} // namespace irq

namespace memory {
Result<std::uint64_t> virt_to_phys(const void*) {
    return Error{Errc::unsupported, "no physical addresses on linux"};
}

Result<void*> alloc_pages(std::size_t bytes) {
    const std::size_t size = (bytes + page_size - 1) / page_size * page_size;
    void* p = std::aligned_alloc(page_size, size == 0 ? page_size : size);
    if (p == nullptr) return Error{Errc::out_of_memory, "alloc_pages"};
    std::memset(p, 0, size);
    return p;
}

void free_pages(void* pointer, std::size_t) {
    std::free(pointer);
}

Result<volatile void*> map_mmio(std::uint64_t, std::size_t) {
    return Error{Errc::unsupported, "no device memory on linux"};
}

Stats stats() {
    return Stats{0, 0, 0, 0};
}
} // namespace memory

namespace pci {
std::span<Device> devices() {
    return {};
}
} // namespace pci

namespace virtio_mmio {
std::span<const Device> devices() {
    return {};
}
} // namespace virtio_mmio

} // namespace os
