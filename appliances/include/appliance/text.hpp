// Bounded text building for console lines and syslog messages: appends into caller-provided storage and
// cuts what does not fit (marking it truncated), so formatting a message never allocates.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace appliance {

class Text {
public:
    explicit Text(std::span<char> storage) : storage_(storage) {}
    Text(const Text&) = delete;
    Text& operator=(const Text&) = delete;

    Text& add(std::string_view s);
    Text& add(char c);
    Text& add_number(std::uint64_t v);
    // Zero-padded to `width` digits.
    Text& add_number(std::uint64_t v, unsigned width);
    // Host-order IPv4 address as a dotted quad.
    Text& add_ipv4(std::uint32_t address);
    // n with a unit: "512 B", "3.5 MiB".
    Text& add_bytes(std::uint64_t n);

    std::string_view view() const { return {storage_.data(), size_}; }
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    bool truncated() const { return truncated_; }
    void clear() {
        size_ = 0;
        truncated_ = false;
    }
    // Keeps the first n characters.
    void cut(std::size_t n) {
        if (n < size_) size_ = n;
    }

private:
    std::span<char> storage_;
    std::size_t size_ = 0;
    bool truncated_ = false;
};

template <std::size_t N>
class TextBuffer : public Text {
public:
    TextBuffer() : Text(std::span<char>(storage_)) {}

private:
    std::array<char, N> storage_{};
};

} // namespace appliance
