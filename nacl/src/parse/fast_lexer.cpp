#include "fast_lexer.hpp"

#include "NaClParser.h"

namespace nacl::syntax {

namespace {

using P = naclg::NaClParser;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_ident(char c) {
    return is_letter(c) || is_digit(c) || c == '_' || c == '-';
}

size_t utf8_length(unsigned char c) {
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

class Scanner {
public:
    explicit Scanner(std::string_view s) : s_(s) {}

    size_t run(size_t p, bool (*in)(char)) const {
        size_t j = p;
        while (j < s_.size() && in(s_[j]))
            ++j;
        return j - p;
    }
    char at(size_t p) const { return p < s_.size() ? s_[p] : '\0'; }

    // Lengths in bytes of each candidate rule at p; 0 when it does not match.
    size_t ipv4(size_t p) const {
        size_t j = p;
        for (int part = 0; part < 4; ++part) {
            size_t d = run(j, is_digit);
            if (d == 0) return 0;
            j += d;
            if (part < 3) {
                if (at(j) != '.') return 0;
                ++j;
            }
        }
        return j - p;
    }
    size_t bad_dotted(size_t p) const {
        size_t j = p + run(p, is_digit);
        if (j == p) return 0;
        size_t parts = 0;
        while (at(j) == '.' && is_digit(at(j + 1))) {
            j += 1 + run(j + 1, is_digit);
            ++parts;
        }
        return parts ? j - p : 0;
    }
    size_t ipv6(size_t p) const {
        // [0-9a-fA-F:]* '::' [0-9a-fA-F:.]*  (the first `::` reaches furthest)
        auto hex_or_colon = [](char c) { return is_hex(c) || c == ':'; };
        auto hex_colon_dot = [](char c) { return is_hex(c) || c == ':' || c == '.'; };
        size_t run1 = 0;
        while (hex_or_colon(at(p + run1)))
            ++run1;
        size_t best = 0;
        for (size_t k = p; k + 1 < p + run1; ++k) {
            if (s_[k] == ':' && s_[k + 1] == ':') {
                size_t j = k + 2;
                while (hex_colon_dot(at(j)))
                    ++j;
                best = j - p;
                break;
            }
        }
        // H16 ':' x6, then H16 ':' H16 or V4TAIL
        size_t j = p;
        for (int group = 0; group < 6; ++group) {
            size_t h = run(j, is_hex);
            if (h < 1 || h > 4 || at(j + h) != ':') return best;
            j += h + 1;
        }
        size_t h = run(j, is_hex);
        if (h >= 1 && h <= 4 && at(j + h) == ':') {
            size_t h2 = std::min<size_t>(run(j + h + 1, is_hex), 4);
            if (h2 >= 1) best = std::max(best, j + h + 1 + h2 - p);
        }
        if (size_t v4 = ipv4(j)) best = std::max(best, j + v4 - p);
        return best;
    }

private:
    std::string_view s_;
};

size_t keyword(std::string_view word) {
    static const std::pair<std::string_view, size_t> words[] = {
        {"if", P::IF}, {"else", P::ELSE}, {"true", P::TRUE}, {"false", P::FALSE}, {"in", P::IN},
        {"IN", P::IN}, {"and", P::AND},   {"or", P::OR},     {"not", P::NOT}};
    for (auto [w, type] : words)
        if (w == word) return type;
    return 0;
}

} // namespace

std::vector<LexedToken> fast_lex(std::string_view s) {
    std::vector<LexedToken> out;
    out.reserve(s.size() / 4);
    Scanner scan(s);
    size_t i = 0;
    uint32_t cp = 0, line = 1, column = 0;
    // Moves over n bytes of ASCII-free-or-not text, keeping code-point counts
    // and ANTLR's line/column (a line break is `\n`).
    auto advance = [&](size_t n) {
        for (size_t end = i + n; i < end; ++i) {
            unsigned char c = static_cast<unsigned char>(s[i]);
            if ((c & 0xC0) == 0x80) continue;
            ++cp;
            if (c == '\n') {
                ++line;
                column = 0;
            } else {
                ++column;
            }
        }
    };
    auto emit = [&](size_t type, size_t bytes) {
        LexedToken t{static_cast<uint32_t>(type), cp, 0, line, column};
        advance(bytes);
        t.stop = cp - 1;
        out.push_back(t);
    };
    while (i < s.size()) {
        char c = s[i];
        switch (c) {
        case ' ':
        case '\t':
        case '\r':
        case '\n':
        case '\f':
            advance(1);
            continue;
        case '#': {
            size_t j = i;
            while (j < s.size() && s[j] != '\r' && s[j] != '\n')
                ++j;
            advance(j - i);
            continue;
        }
        case '/': {
            if (scan.at(i + 1) == '/') {
                size_t j = i;
                while (j < s.size() && s[j] != '\r' && s[j] != '\n')
                    ++j;
                advance(j - i);
                continue;
            }
            if (scan.at(i + 1) == '*') {
                size_t close = s.find("*/", i + 2);
                if (close == std::string_view::npos)
                    emit(P::UNTERMINATED_COMMENT, s.size() - i);
                else
                    advance(close + 2 - i);
                continue;
            }
            emit(P::SLASH, 1);
            continue;
        }
        case '"': {
            size_t j = i + 1;
            size_t type = P::UNTERMINATED_STRING;
            while (j < s.size()) {
                char d = s[j];
                if (d == '"') {
                    ++j;
                    type = P::STRING;
                    break;
                }
                if (d == '\r' || d == '\n') break;
                if (d == '\\') {
                    char e = scan.at(j + 1);
                    if (j + 1 >= s.size() || e == '\r' || e == '\n') break;
                    j += 1 + utf8_length(static_cast<unsigned char>(e));
                    continue;
                }
                j += utf8_length(static_cast<unsigned char>(d));
            }
            emit(type, std::min(j, s.size()) - i);
            continue;
        }
        case '{':
            emit(P::LBRACE, 1);
            continue;
        case '}':
            emit(P::RBRACE, 1);
            continue;
        case '[':
            emit(P::LBRACK, 1);
            continue;
        case ']':
            emit(P::RBRACK, 1);
            continue;
        case '(':
            emit(P::LPAREN, 1);
            continue;
        case ')':
            emit(P::RPAREN, 1);
            continue;
        case ',':
            emit(P::COMMA, 1);
            continue;
        case '.':
            emit(P::DOT, 1);
            continue;
        case '-':
            emit(P::DASH, 1);
            continue;
        case '=':
            if (scan.at(i + 1) == '=')
                emit(P::EQ, 2);
            else
                emit(P::ERROR_CHAR, 1);
            continue;
        case '!':
            if (scan.at(i + 1) == '=')
                emit(P::NE, 2);
            else
                emit(P::NOT, 1);
            continue;
        case '<':
            emit(scan.at(i + 1) == '=' ? P::LE : P::LT, scan.at(i + 1) == '=' ? 2 : 1);
            continue;
        case '>':
            emit(scan.at(i + 1) == '=' ? P::GE : P::GT, scan.at(i + 1) == '=' ? 2 : 1);
            continue;
        case '&':
            if (scan.at(i + 1) == '&')
                emit(P::AND, 2);
            else
                emit(P::ERROR_CHAR, 1);
            continue;
        case '|':
            if (scan.at(i + 1) == '|')
                emit(P::OR, 2);
            else
                emit(P::ERROR_CHAR, 1);
            continue;
        default:
            break;
        }
        if (!is_hex(c) && !is_letter(c) && c != ':') {
            emit(P::ERROR_CHAR, utf8_length(static_cast<unsigned char>(c)));
            continue;
        }
        // Rules that can start here, in grammar order: the longest match wins,
        // a tie goes to the rule written first.
        size_t best_type = 0, best_length = 0;
        auto consider = [&](size_t type, size_t length) {
            if (length > best_length) {
                best_type = type;
                best_length = length;
            }
        };
        size_t ident = is_letter(c) ? 1 + scan.run(i + 1, is_ident) : 0;
        if (ident) consider(keyword(s.substr(i, ident)), keyword(s.substr(i, ident)) ? ident : 0);
        if (c == ':') {
            consider(P::DCOLON, scan.at(i + 1) == ':' ? 2 : 0);
            consider(P::COLON, 1);
        }
        if (is_digit(c)) {
            consider(P::IPV4, scan.ipv4(i));
            consider(P::BAD_DOTTED, scan.bad_dotted(i));
        }
        consider(P::IPV6, scan.ipv6(i));
        if (is_digit(c)) consider(P::INT, scan.run(i, is_digit));
        consider(P::IDENT, ident);
        if (best_length == 0) {
            emit(P::ERROR_CHAR, 1);
            continue;
        }
        emit(best_type, best_length);
    }
    return out;
}

} // namespace nacl::syntax
