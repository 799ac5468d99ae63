#include "format.hpp"

namespace os::kernel {

Formatter& Formatter::chr(char c) {
    if (size_ < capacity_) {
        buffer_[size_++] = c;
    } else {
        truncated_ = true;
    }
    return *this;
}

Formatter& Formatter::str(std::string_view s) {
    for (char c : s)
        chr(c);
    return *this;
}

Formatter& Formatter::udec(std::uint64_t v) {
    return udec_width(v, 0);
}

Formatter& Formatter::udec_width(std::uint64_t v, int width) {
    char digits[20];
    int n = 0;
    do {
        digits[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (int pad = width - n; pad > 0; --pad)
        chr(' ');
    while (n > 0)
        chr(digits[--n]);
    return *this;
}

Formatter& Formatter::dec(std::int64_t v) {
    if (v < 0) {
        chr('-');
        return udec(~static_cast<std::uint64_t>(v) + 1); // also right for INT64_MIN
    }
    return udec(static_cast<std::uint64_t>(v));
}

Formatter& Formatter::hex(std::uint64_t v, int digits) {
    char out[16];
    int n = 0;
    do {
        out[n++] = "0123456789abcdef"[v & 0xf];
        v >>= 4;
    } while (v != 0);
    str("0x");
    for (int pad = digits - n; pad > 0; --pad)
        chr('0');
    while (n > 0)
        chr(out[--n]);
    return *this;
}

} // namespace os::kernel
