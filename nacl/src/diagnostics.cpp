#include "nacl/diagnostics.hpp"

#include <algorithm>

namespace nacl {

Diagnostic& Diagnostics::error(Span span, std::string message) {
    list_.push_back({Severity::Error, span, std::move(message), {}});
    return list_.back();
}

Diagnostic& Diagnostics::warning(Span span, std::string message) {
    list_.push_back({Severity::Warning, span, std::move(message), {}});
    return list_.back();
}

bool Diagnostics::has_errors() const {
    return error_count() > 0;
}

size_t Diagnostics::error_count() const {
    return std::count_if(list_.begin(), list_.end(), [](auto& d) { return d.severity == Severity::Error; });
}

size_t Diagnostics::warning_count() const {
    return list_.size() - error_count();
}

std::vector<Diagnostic> Diagnostics::sorted() const {
    std::vector<Diagnostic> out = list_;
    std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.span.begin < b.span.begin; });
    return out;
}

void Diagnostics::promote_warnings() {
    for (auto& d : list_)
        d.severity = Severity::Error;
}

void add_note(Diagnostic& d, std::string message, std::optional<Span> span) {
    d.notes.push_back({Note::Kind::Note, std::move(message), span});
}

void add_help(Diagnostic& d, std::string message) {
    d.notes.push_back({Note::Kind::Help, std::move(message), {}});
}

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t above = row[j];
            bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates) {
    // Allow about one typo per three letters, so `adress` finds `address` but
    // `foo` does not find `ttl`.
    size_t limit = std::max<size_t>(1, word.size() / 3);
    std::optional<std::string> best;
    size_t best_distance = limit + 1;
    for (auto& c : candidates) {
        size_t d = edit_distance(word, c);
        if (d < best_distance) {
            best_distance = d;
            best = c;
        }
    }
    return best;
}

} // namespace nacl
