// The C++ ABI runtime the image needs (Itanium C++ ABI, 3.3 and 2.9.5):
// operator new/delete over musl's malloc, static-local guards, pure virtual
// calls, thread_local destructors. No exceptions: allocation failure panics.
#include <halite/os/system.hpp>

#include <cstdint>
#include <cstdlib>
#include <new>

extern "C" {
void* __dso_handle = &__dso_handle; // identifies the image for __cxa_atexit
int __cxa_atexit(void (*destructor)(void*), void* object, void* dso);
}

namespace {

void* allocate(std::size_t size) {
    if (size == 0) size = 1;
    void* p = std::malloc(size);
    if (p == nullptr) os::panic("out of memory (operator new)");
    return p;
}

void* allocate_aligned(std::size_t size, std::align_val_t alignment) {
    const auto align = static_cast<std::size_t>(alignment);
    void* p = nullptr;
    if (posix_memalign(&p, align < sizeof(void*) ? sizeof(void*) : align, size == 0 ? 1 : size) != 0)
        os::panic("out of memory (aligned operator new)");
    return p;
}

} // namespace

void* operator new(std::size_t size) {
    return allocate(size);
}
void* operator new[](std::size_t size) {
    return allocate(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    return std::malloc(size == 0 ? 1 : size);
}
void* operator new(std::size_t size, std::align_val_t a) {
    return allocate_aligned(size, a);
}
void* operator new[](std::size_t size, std::align_val_t a) {
    return allocate_aligned(size, a);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
    std::free(p);
}

extern "C" {

// One core, no threads: a guard is "done" (first byte 1) or "running" (second
// byte 1, which means the initialiser re-entered itself).
int __cxa_guard_acquire(std::uint64_t* guard) {
    auto* bytes = reinterpret_cast<std::uint8_t*>(guard);
    if (bytes[0] != 0) return 0;
    if (bytes[1] != 0) os::panic("recursive initialisation of a static local");
    bytes[1] = 1;
    return 1;
}

void __cxa_guard_release(std::uint64_t* guard) {
    auto* bytes = reinterpret_cast<std::uint8_t*>(guard);
    bytes[0] = 1;
    bytes[1] = 0;
}

void __cxa_guard_abort(std::uint64_t* guard) {
    reinterpret_cast<std::uint8_t*>(guard)[1] = 0;
}

void __cxa_pure_virtual() {
    os::panic("pure virtual function called");
}
void __cxa_deleted_virtual() {
    os::panic("deleted virtual function called");
}

// thread_local objects with destructors: the one thread ends at exit.
int __cxa_thread_atexit(void (*destructor)(void*), void* object, void* dso) {
    return __cxa_atexit(destructor, object, dso);
}

} // extern "C"
