// A vector with fixed capacity and no allocation, for code that runs before the
// heap exists (memory map, boot-time tables).
#pragma once

#include <array>
#include <cstddef>
#include <span>

namespace os::kernel {

template <class T, std::size_t Capacity>
class StaticVector {
public:
    bool push_back(const T& value) {
        if (size_ == Capacity) return false;
        items_[size_++] = value;
        return true;
    }
    bool insert(std::size_t index, const T& value) {
        if (size_ == Capacity || index > size_) return false;
        for (std::size_t i = size_; i > index; --i)
            items_[i] = items_[i - 1];
        items_[index] = value;
        ++size_;
        return true;
    }
    void erase(std::size_t index) {
        for (std::size_t i = index; i + 1 < size_; ++i)
            items_[i] = items_[i + 1];
        --size_;
    }
    void clear() noexcept { size_ = 0; }

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    static constexpr std::size_t capacity() noexcept { return Capacity; }
    T& operator[](std::size_t i) { return items_[i]; }
    const T& operator[](std::size_t i) const { return items_[i]; }
    T* begin() noexcept { return items_.data(); }
    T* end() noexcept { return items_.data() + size_; }
    const T* begin() const noexcept { return items_.data(); }
    const T* end() const noexcept { return items_.data() + size_; }
    std::span<const T> span() const noexcept { return {items_.data(), size_}; }

private:
    std::array<T, Capacity> items_{};
    std::size_t size_ = 0;
};

} // namespace os::kernel
