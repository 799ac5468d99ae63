#include "nacl/source.hpp"

#include <algorithm>

namespace nacl {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not valid
// (overlong forms, surrogates and values above U+10FFFF are not valid).
size_t utf8_length(std::string_view s, size_t i) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(i);
    if (c < 0x80) return 1;
    size_t n = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
        n = 2;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (byte(i + k) & 0x3F);
    }
    static constexpr uint32_t min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_length[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

} // namespace

SourceFile::SourceFile(std::string name, std::string_view text) : name_(std::move(name)) {
    // A leading byte order mark (some editors write one) is not part of the
    // configuration; ANTLR's input stream drops it too.
    // (All leading marks: ANTLR would drop one more and shift every offset.)
    while (text.starts_with("\xEF\xBB\xBF"))
        text.remove_prefix(3);
    text_.reserve(text.size());
    lines_.push_back({0, 0});
    uint32_t offset = 0;
    for (size_t i = 0; i < text.size();) {
        size_t n = utf8_length(text, i);
        if (n == 0) {
            invalid_utf8_.push_back(offset);
            text_ += "\xEF\xBF\xBD"; // U+FFFD keeps later columns right
            n = 1;
        } else {
            text_.append(text.substr(i, n));
        }
        ++offset;
        if (text[i] == '\n') lines_.push_back({offset, static_cast<uint32_t>(text_.size())});
        i += n;
    }
}

Position SourceFile::position(uint32_t offset) const {
    auto it = std::upper_bound(lines_.begin(), lines_.end(), offset,
                               [](uint32_t o, const LineStart& l) { return o < l.offset; });
    auto line = static_cast<uint32_t>(it - lines_.begin()); // 1-based: `it` is one past
    return {line, offset - lines_[line - 1].offset + 1};
}

std::string_view SourceFile::line_text(uint32_t line) const {
    if (line == 0 || line > lines_.size()) return {};
    size_t begin = lines_[line - 1].byte;
    size_t end = line < lines_.size() ? lines_[line].byte - 1 : text_.size();
    std::string_view view(text_);
    view = view.substr(begin, end - begin);
    if (!view.empty() && view.back() == '\r') view.remove_suffix(1);
    return view;
}

} // namespace nacl
