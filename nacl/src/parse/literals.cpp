#include "literals.hpp"

#include <arpa/inet.h>

namespace nacl::syntax {

uint64_t decode_integer(std::string_view text, Span span, Diagnostics& diags) {
    uint64_t value = 0;
    for (char c : text) {
        uint64_t digit = static_cast<uint64_t>(c - '0');
        if (value > (UINT64_MAX - digit) / 10) {
            diags.error(span, "the number `" + std::string(text) + "` is too large");
            return 0;
        }
        value = value * 10 + digit;
    }
    return value;
}

ast::Address decode_ipv4(std::string_view text, Span span, Diagnostics& diags) {
    ast::Address address;
    size_t part = 0;
    uint32_t value = 0;
    bool too_large = false;
    // Leading zeros are decimal (no octal), as the language reference requires.
    for (size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == '.') {
            if (value > 255) too_large = true;
            address.bytes[part++] = static_cast<uint8_t>(value);
            value = 0;
            continue;
        }
        value = value > 255 ? value : value * 10 + uint32_t(text[i] - '0');
    }
    if (too_large) {
        auto& d = diags.error(span, "`" + std::string(text) + "` is not an IPv4 address");
        add_note(d, "each of the four numbers must be between 0 and 255");
        return {};
    }
    return address;
}

ast::Address decode_ipv6(std::string_view text, Span span, Diagnostics& diags) {
    ast::Address address;
    address.v6 = true;
    std::string copy(text);
    if (inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) != 1) {
        diags.error(span, "`" + copy + "` is not an IPv6 address");
        address.bytes = {};
    }
    return address;
}

std::string decode_string(std::string_view text, Span span, Diagnostics& diags) {
    std::string out;
    std::string_view body = text.substr(1, text.size() - 2);
    auto is_continuation = [&](size_t k) { return (static_cast<unsigned char>(body[k]) & 0xC0) == 0x80; };
    uint32_t cp = 0; // code points of `body` before index i, for the error's span
    for (size_t i = 0; i < body.size(); ++i) {
        if (is_continuation(i)) {
            out += body[i];
            continue;
        }
        uint32_t here = span.begin + 1 + cp++;
        if (body[i] != '\\') {
            out += body[i];
            continue;
        }
        ++cp;
        switch (body[++i]) {
        case 'n':
            out += '\n';
            break;
        case 't':
            out += '\t';
            break;
        case '\\':
            out += '\\';
            break;
        case '"':
            out += '"';
            break;
        default: {
            std::string seq(body.substr(i - 1, 2));
            while (i + 1 < body.size() && is_continuation(i + 1))
                seq += body[++i];
            auto& d = diags.error({here, here + 2}, "unknown escape `" + seq + "` in a string");
            add_help(d, "the escapes are \\n, \\t, \\\\ and \\\"");
            out += seq;
        }
        }
    }
    return out;
}

} // namespace nacl::syntax
