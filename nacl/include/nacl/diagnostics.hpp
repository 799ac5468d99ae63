#pragma once
// Diagnostics are collected in a list and printed at the end, sorted by
// position, so one run reports every independent problem of a file.

#include "nacl/source.hpp"

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace nacl {

enum class Severity { Error, Warning };

struct Note {
    enum class Kind { Note, Help };
    Kind kind = Kind::Note;
    std::string message;
    std::optional<Span> span; // a note may point at another place in the file
};

struct Diagnostic {
    Severity severity = Severity::Error;
    Span span;
    std::string message;
    std::vector<Note> notes;
};

class Diagnostics {
public:
    Diagnostic& error(Span span, std::string message);
    Diagnostic& warning(Span span, std::string message);

    bool has_errors() const;
    size_t error_count() const;
    size_t warning_count() const;
    // By position; the order of reports at one position is kept.
    std::vector<Diagnostic> sorted() const;
    const std::vector<Diagnostic>& all() const { return list_; }
    // --Werror: every warning becomes an error.
    void promote_warnings();

private:
    std::vector<Diagnostic> list_;
};

// Helpers to attach hints fluently: add_note(d, ...), add_help(d, ...).
void add_note(Diagnostic& d, std::string message, std::optional<Span> span = std::nullopt);
void add_help(Diagnostic& d, std::string message);

// clang-style text: `file:line:col: error: message`, the source line, a
// caret/tilde line under the span, then note/help lines.
void render(std::ostream& out, const SourceFile& file, const Diagnostic& d);
void render_all(std::ostream& out, const SourceFile& file, const Diagnostics& diags);

// "did you mean": the closest candidate within a small edit distance.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);
size_t edit_distance(std::string_view a, std::string_view b);

} // namespace nacl
