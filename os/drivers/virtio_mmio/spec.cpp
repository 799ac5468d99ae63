// Parsing of `virtio_mmio.device=<size>@<base>:<irq>[:<id>]`, the form the Linux
// virtio_mmio driver accepts and QEMU's microvm generates.
#include <halite/os/virtio_mmio.hpp>

#include <charconv>

namespace os::virtio_mmio {

namespace {

// A number in C notation (0x hex, leading-0 octal, else decimal), advancing `s`.
std::optional<std::uint64_t> take_number(std::string_view& s) {
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s.remove_prefix(2);
    } else if (s.size() > 1 && s[0] == '0' && s[1] >= '0' && s[1] <= '7') {
        base = 8;
        s.remove_prefix(1);
    }
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec != std::errc{}) return std::nullopt;
    s.remove_prefix(static_cast<std::size_t>(end - s.data()));
    return v;
}

// Size suffixes as Linux's memparse() reads them.
std::optional<std::uint64_t> take_size(std::string_view& s) {
    auto v = take_number(s);
    if (!v || s.empty()) return v;
    unsigned shift = 0;
    switch (s[0]) {
    case 'E':
    case 'e':
        shift = 60;
        break;
    case 'P':
    case 'p':
        shift = 50;
        break;
    case 'T':
    case 't':
        shift = 40;
        break;
    case 'G':
    case 'g':
        shift = 30;
        break;
    case 'M':
    case 'm':
        shift = 20;
        break;
    case 'K':
    case 'k':
        shift = 10;
        break;
    default:
        return v;
    }
    s.remove_prefix(1);
    if (*v > (~std::uint64_t{0} >> shift)) return std::nullopt;
    return *v << shift;
}

bool take_char(std::string_view& s, char c) {
    if (s.empty() || s[0] != c) return false;
    s.remove_prefix(1);
    return true;
}

} // namespace

std::optional<Spec> parse_spec(std::string_view text) {
    Spec spec{};
    const auto size = take_size(text);
    if (!size || *size == 0 || !take_char(text, '@')) return std::nullopt;
    const auto base = take_number(text);
    if (!base || !take_char(text, ':')) return std::nullopt;
    const auto irq = take_number(text);
    if (!irq || *irq > 0xffffffffu) return std::nullopt;
    spec.size = *size;
    spec.base = *base;
    spec.irq = static_cast<std::uint32_t>(*irq);
    if (take_char(text, ':')) {
        const auto id = take_number(text);
        if (!id || *id > 0xffffffffu) return std::nullopt;
        spec.id = static_cast<std::uint32_t>(*id);
    }
    if (!text.empty()) return std::nullopt;
    if (spec.base + spec.size < spec.base) return std::nullopt;
    return spec;
}

} // namespace os::virtio_mmio
