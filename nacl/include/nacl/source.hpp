#pragma once
// A configuration file held in memory, and positions inside it.
//
// Offsets and columns count Unicode code points (not bytes), because that is
// what ANTLR's token positions count and what a reader counts in an editor.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nacl {

// Half-open range [begin, end) of code-point offsets in one SourceFile.
struct Span {
    uint32_t begin = 0;
    uint32_t end = 0;

    static Span cover(Span a, Span b) {
        return {a.begin < b.begin ? a.begin : b.begin, a.end > b.end ? a.end : b.end};
    }
};

// 1-based line and column.
struct Position {
    uint32_t line = 1;
    uint32_t column = 1;
};

class SourceFile {
public:
    // `text` may hold any bytes; invalid UTF-8 is replaced by U+FFFD and its
    // offsets remembered so the front end can report them. A leading UTF-8
    // byte order mark is dropped.
    SourceFile(std::string name, std::string_view text);

    const std::string& name() const { return name_; }
    // Always valid UTF-8.
    const std::string& text() const { return text_; }
    Position position(uint32_t offset) const;
    // The bytes of a 1-based line, without its line break.
    std::string_view line_text(uint32_t line) const;
    uint32_t line_count() const { return static_cast<uint32_t>(lines_.size()); }
    // Code-point offset of the first invalid UTF-8 sequence, if any.
    const std::vector<uint32_t>& invalid_utf8_offsets() const { return invalid_utf8_; }

private:
    struct LineStart {
        uint32_t offset; // code points
        uint32_t byte;   // bytes into text_
    };
    std::string name_;
    std::string text_;
    std::vector<LineStart> lines_;
    std::vector<uint32_t> invalid_utf8_;
};

} // namespace nacl
