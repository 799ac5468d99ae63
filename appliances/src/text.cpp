#include "appliance/text.hpp"

namespace appliance {

Text& Text::add(std::string_view s) {
    for (char c : s)
        add(c);
    return *this;
}

Text& Text::add(char c) {
    if (size_ < storage_.size()) {
        storage_[size_++] = c;
    } else {
        truncated_ = true;
    }
    return *this;
}

Text& Text::add_number(std::uint64_t v) {
    return add_number(v, 1);
}

Text& Text::add_number(std::uint64_t v, unsigned width) {
    char digits[20];
    unsigned n = 0;
    do {
        digits[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0 && n < sizeof digits);
    for (unsigned i = n; i < width; ++i)
        add('0');
    while (n > 0)
        add(digits[--n]);
    return *this;
}

Text& Text::add_ipv4(std::uint32_t a) {
    return add_number(a >> 24)
        .add('.')
        .add_number((a >> 16) & 0xff)
        .add('.')
        .add_number((a >> 8) & 0xff)
        .add('.')
        .add_number(a & 0xff);
}

Text& Text::add_bytes(std::uint64_t n) {
    static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    unsigned u = 0;
    std::uint64_t whole = n, tenths = 0;
    while (whole >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
        tenths = (whole % 1024) * 10 / 1024;
        whole /= 1024;
        ++u;
    }
    add_number(whole);
    if (u != 0 && whole < 100) add('.').add_number(tenths);
    return add(' ').add(units[u]);
}

} // namespace appliance
