#include "nacl/diagnostics.hpp"

namespace nacl {

namespace {

// Code points of `line` before 1-based `column`, as blanks that keep tabs, so
// the caret lines up under the text in a terminal.
std::string indent_for(std::string_view line, uint32_t column) {
    std::string out;
    uint32_t cp = 1;
    for (size_t i = 0; i < line.size() && cp < column; ++i) {
        unsigned char c = static_cast<unsigned char>(line[i]);
        if ((c & 0xC0) == 0x80) continue; // continuation byte of the same code point
        out += c == '\t' ? '\t' : ' ';
        ++cp;
    }
    out.append(column > cp ? column - cp : 0, ' ');
    return out;
}

uint32_t code_points(std::string_view s) {
    uint32_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xC0) != 0x80;
    return n;
}

void show_source(std::ostream& out, const SourceFile& file, Span span) {
    Position begin = file.position(span.begin);
    std::string_view line = file.line_text(begin.line);
    out << line << '\n' << indent_for(line, begin.column) << '^';
    // Tildes to the end of the span or of the line, whichever comes first.
    Position end = file.position(span.end > span.begin ? span.end : span.begin + 1);
    uint32_t last = end.line == begin.line ? end.column : code_points(line) + 1;
    for (uint32_t c = begin.column + 1; c < last; ++c)
        out << '~';
    out << '\n';
}

} // namespace

void render(std::ostream& out, const SourceFile& file, const Diagnostic& d) {
    Position p = file.position(d.span.begin);
    out << file.name() << ':' << p.line << ':' << p.column << ": "
        << (d.severity == Severity::Error ? "error: " : "warning: ") << d.message << '\n';
    show_source(out, file, d.span);
    for (auto& note : d.notes) {
        const char* label = note.kind == Note::Kind::Help ? "help: " : "note: ";
        if (note.span) {
            Position np = file.position(note.span->begin);
            out << file.name() << ':' << np.line << ':' << np.column << ": " << label << note.message << '\n';
            show_source(out, file, *note.span);
        } else {
            out << label << note.message << '\n';
        }
    }
}

void render_all(std::ostream& out, const SourceFile& file, const Diagnostics& diags) {
    for (auto& d : diags.sorted())
        render(out, file, d);
    size_t errors = diags.error_count(), warnings = diags.warning_count();
    if (errors + warnings == 0) return;
    auto plural = [](size_t n, const char* word) {
        return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
    };
    if (errors && warnings)
        out << plural(errors, "error") << " and " << plural(warnings, "warning") << " generated.\n";
    else if (errors)
        out << plural(errors, "error") << " generated.\n";
    else
        out << plural(warnings, "warning") << " generated.\n";
}

} // namespace nacl
