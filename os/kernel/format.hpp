// Text formatting into a fixed buffer without libc: the panic path and early
// boot cannot use printf (it may touch errno through TLS before libc is set up,
// or the failure may be inside libc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace os::kernel {

class Formatter {
public:
    Formatter(char* buffer, std::size_t capacity) : buffer_(buffer), capacity_(capacity) {}

    Formatter& str(std::string_view s);
    Formatter& chr(char c);
    Formatter& dec(std::int64_t v);
    Formatter& udec(std::uint64_t v);
    // Hexadecimal with at least `digits` digits, prefixed "0x".
    Formatter& hex(std::uint64_t v, int digits = 1);
    // Right-aligned in `width` columns.
    Formatter& udec_width(std::uint64_t v, int width);

    std::string_view view() const noexcept { return {buffer_, size_}; }
    bool truncated() const noexcept { return truncated_; }
    void clear() noexcept {
        size_ = 0;
        truncated_ = false;
    }

private:
    char* buffer_;
    std::size_t capacity_;
    std::size_t size_ = 0;
    bool truncated_ = false;
};

// A formatter with its own buffer.
template <std::size_t N>
class FormatBuffer : public Formatter {
public:
    FormatBuffer() : Formatter(storage_, N) {}

private:
    char storage_[N];
};

} // namespace os::kernel
