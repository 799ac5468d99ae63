// Storage for a kernel object that is built explicitly during boot, in a known
// order, and never destroyed. Kernel state lives in these instead of globals
// with constructors, whose order relative to the application's global
// constructors (and to interrupts) would be unspecified.
#pragma once

#include <cstddef>
#include <new>
#include <utility>

namespace os::kernel {

template <class T>
class Singleton {
public:
    constexpr Singleton() = default;
    Singleton(const Singleton&) = delete;
    Singleton& operator=(const Singleton&) = delete;

    template <class... Args>
    T& construct(Args&&... args) {
        object_ = new (storage_) T(std::forward<Args>(args)...);
        return *object_;
    }
    bool constructed() const noexcept { return object_ != nullptr; }
    T& operator*() const noexcept { return *object_; }
    T* operator->() const noexcept { return object_; }
    T* get() const noexcept { return object_; }

private:
    alignas(T) std::byte storage_[sizeof(T)]{};
    T* object_ = nullptr;
};

} // namespace os::kernel
