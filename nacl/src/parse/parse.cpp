#include "nacl/parse.hpp"

#include "ast_builder.hpp"
#include "chunked.hpp"
#include "fast_lexer.hpp"
#include "syntax_errors.hpp"
#include "tokens.hpp"

#include "NaClLexer.h"
#include "NaClParser.h"

#include <set>

namespace nacl {

namespace {

using P = naclg::NaClParser;
using syntax::LexedToken;

// The code point at code-point offset `offset` of valid UTF-8 `text`.
std::string character_at(std::string_view text, uint32_t offset) {
    uint32_t cp = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
        if (cp++ == offset) {
            size_t n = 1;
            while (i + n < text.size() && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80)
                ++n;
            return std::string(text.substr(i, n));
        }
    }
    return "?";
}

struct Lexed {
    std::vector<LexedToken> tokens;
    std::vector<uint32_t> depth_before; // brackets open before each token
    std::set<size_t> after_dropped;     // tokens right after a dropped lexical error
    bool too_deep = false;
};

// Lexes the whole input into compact tokens. Lexer error tokens become
// diagnostics and are left out of the parser's input; nesting deeper than
// kMaxNesting stops everything (no parser may recurse that deep).
Lexed lex(std::string_view text, Diagnostics& diags) {
    Lexed out;
    uint32_t depth = 0, negations = 0;
    // Kept tokens are compacted into the front of the same vector.
    out.tokens = syntax::fast_lex(text);
    size_t kept = 0;
    out.depth_before.reserve(out.tokens.size());
    for (size_t index = 0; index < out.tokens.size(); ++index) {
        const LexedToken t = out.tokens[index];
        size_t type = t.type;
        Span span{t.start, t.stop + 1};
        switch (type) {
        case P::ERROR_CHAR: {
            out.after_dropped.insert(kept);
            // The character itself, from the UTF-8 text, and what was meant
            // when the mistake is a common one.
            std::string c = character_at(text, t.start);
            auto& d = diags.error(span, "unexpected character `" + c + "`");
            if (c == "=")
                add_help(d, "compare with `==`; members are set with `:`");
            else if (c == ";")
                add_help(d, "statements need no terminator: remove the `;`");
            else if (c == "'")
                add_help(d, "strings are written in double quotes: \"...\"");
            continue;
        }
        case P::UNTERMINATED_STRING:
            out.after_dropped.insert(kept);
            diags.error({span.begin, span.begin + 1}, "this string has no closing `\"` on its line");
            continue;
        case P::UNTERMINATED_COMMENT:
            out.after_dropped.insert(kept);
            diags.error({span.begin, span.begin + 2}, "this `/*` comment is never closed with `*/`");
            continue;
        case P::LBRACE:
        case P::LBRACK:
        case P::LPAREN:
            if (depth + 1 > kMaxNesting) {
                diags.error(span, "brackets are nested too deeply (more than " + std::to_string(kMaxNesting) +
                                      " levels)");
                out.too_deep = true;
                out.tokens.resize(kept);
                return out;
            }
            out.depth_before.push_back(depth++);
            break;
        case P::RBRACE:
        case P::RBRACK:
        case P::RPAREN:
            out.depth_before.push_back(depth);
            if (depth > 0) --depth;
            break;
        default:
            out.depth_before.push_back(depth);
            break;
        }
        negations = type == P::NOT ? negations + 1 : 0;
        if (negations > kMaxNesting) {
            diags.error(span, "too many `not` in a row (more than " + std::to_string(kMaxNesting) + ")");
            out.too_deep = true;
            out.tokens.resize(kept);
            return out;
        }
        out.tokens[kept++] = t;
    }
    out.tokens.resize(kept);
    // The vector grew by doubling; the parse that follows is the memory peak.
    out.tokens.shrink_to_fit();
    return out;
}

// The whole file at once with full LL prediction and error recovery: used to
// report syntax errors (and for what the fast path does not recognise).
std::optional<ast::Program> parse_whole(Lexed& lexed, naclg::NaClLexer& lexer, antlr4::CharStream& input,
                                        Diagnostics& diags) {
    antlr4::ListTokenSource source(syntax::materialize(lexed.tokens, 0, lexed.tokens.size(), &lexer, &input));
    antlr4::CommonTokenStream stream(&source);
    P parser(&stream);
    parser.removeErrorListeners();
    syntax::SyntaxErrorListener listener(diags, std::move(lexed.depth_before),
                                         std::move(lexed.after_dropped));
    parser.addErrorListener(&listener);
    parser.setErrorHandler(std::make_shared<syntax::RecoveryStrategy>());
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::LL);
    // This runs when the file does not parse in pieces, that is almost always
    // when it has syntax errors: look for them without building a tree (the
    // tree of a large file takes more memory than everything else).
    parser.setBuildParseTree(false);
    parser.program();
    parser.removeErrorListeners();
    if (parser.getNumberOfSyntaxErrors() > 0) return std::nullopt;
    stream.seek(0);
    parser.reset();
    parser.setBuildParseTree(true);
    auto* tree = parser.program();
    return syntax::AstBuilder(diags).build(tree);
}

std::optional<ast::Program> parse_checked(const SourceFile& file, Diagnostics& diags, ParseMode mode) {
    for (uint32_t offset : file.invalid_utf8_offsets())
        diags.error({offset, offset + 1}, "this file is not valid UTF-8 here");

    antlr4::ANTLRInputStream input(file.text());
    naclg::NaClLexer lexer(&input);
    lexer.removeErrorListeners(); // ERROR_CHAR catches everything else
    size_t errors_before = diags.error_count();
    Lexed lexed = lex(file.text(), diags);
    if (lexed.too_deep) return std::nullopt;
    if (lexed.tokens.empty()) {
        // Nothing but comments and blanks: an empty configuration.
        if (diags.error_count() > errors_before) return std::nullopt;
        return ast::Program{};
    }
    bool lexical_errors = diags.error_count() > errors_before;
    if (!lexical_errors && mode != ParseMode::Whole) {
        // Fast path first; its literal errors count only if it succeeds.
        Diagnostics literal;
        auto program = syntax::ChunkedParser(lexed.tokens, &lexer, &input, literal).run();
        if (program) {
            for (auto& d : literal.all())
                diags.error(d.span, d.message).notes = d.notes;
            return program;
        }
        if (mode == ParseMode::PiecesOnly) return std::nullopt;
    }
    auto program = parse_whole(lexed, lexer, input, diags);
    // After a lexical error the token stream is incomplete: an AST built from
    // it would only add follow-on errors.
    if (lexical_errors) return std::nullopt;
    return program;
}

} // namespace

bool lexers_agree(std::string_view utf8, std::string* difference) {
    std::vector<LexedToken> fast = syntax::fast_lex(utf8);
    antlr4::ANTLRInputStream input{std::string(utf8)};
    naclg::NaClLexer lexer(&input);
    lexer.removeErrorListeners();
    size_t i = 0;
    for (auto token = lexer.nextToken(); token->getType() != antlr4::Token::EOF;
         token = lexer.nextToken(), ++i) {
        LexedToken want{static_cast<uint32_t>(token->getType()),
                        static_cast<uint32_t>(token->getStartIndex()),
                        static_cast<uint32_t>(token->getStopIndex()), static_cast<uint32_t>(token->getLine()),
                        static_cast<uint32_t>(token->getCharPositionInLine())};
        bool same = i < fast.size() && fast[i].type == want.type && fast[i].start == want.start &&
                    fast[i].stop == want.stop && fast[i].line == want.line && fast[i].column == want.column;
        if (!same) {
            if (difference) {
                *difference = "token " + std::to_string(i) + ": grammar lexer has type " +
                              std::to_string(want.type) + " at " + std::to_string(want.start) + "-" +
                              std::to_string(want.stop);
                if (i < fast.size())
                    *difference += ", fast lexer has type " + std::to_string(fast[i].type) + " at " +
                                   std::to_string(fast[i].start) + "-" + std::to_string(fast[i].stop) +
                                   " line " + std::to_string(fast[i].line) + ":" +
                                   std::to_string(fast[i].column) + " vs " + std::to_string(want.line) + ":" +
                                   std::to_string(want.column);
            }
            return false;
        }
    }
    if (i != fast.size()) {
        if (difference)
            *difference = "the fast lexer has " + std::to_string(fast.size() - i) + " more tokens";
        return false;
    }
    return true;
}

std::optional<ast::Program> parse(const SourceFile& file, Diagnostics& diags, ParseMode mode) {
    // The ANTLR runtime throws on conditions it considers impossible; a
    // configuration must never crash naclc, so such a throw is an error too.
    try {
        return parse_checked(file, diags, mode);
    } catch (const std::exception& e) {
        diags.error({}, std::string("internal error in the parser: ") + e.what());
    } catch (...) {
        diags.error({}, "internal error in the parser");
    }
    return std::nullopt;
}

} // namespace nacl
