#include "chunked.hpp"

#include "ast_builder.hpp"

#include "NaClParser.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

namespace nacl::syntax {

using P = naclg::NaClParser;

std::vector<std::unique_ptr<antlr4::Token>> materialize(const std::vector<LexedToken>& tokens, size_t begin,
                                                        size_t end, antlr4::TokenSource* source,
                                                        antlr4::CharStream* input) {
    std::vector<std::unique_ptr<antlr4::Token>> out;
    out.reserve(end - begin);
    for (size_t i = begin; i < end; ++i) {
        const LexedToken& t = tokens[i];
        auto token = std::make_unique<antlr4::CommonToken>(std::make_pair(source, input), t.type,
                                                           antlr4::Token::DEFAULT_CHANNEL, t.start, t.stop);
        token->setLine(t.line);
        token->setCharPositionInLine(t.column);
        out.push_back(std::move(token));
    }
    return out;
}

namespace {

bool opens(size_t type) {
    return type == P::LBRACE || type == P::LBRACK || type == P::LPAREN;
}
bool closes(size_t type) {
    return type == P::RBRACE || type == P::RBRACK || type == P::RPAREN;
}

// A parser over tokens[begin, end) with the fast settings: SLL prediction and
// no error recovery (the first problem throws).
struct Piece {
    antlr4::ListTokenSource source;
    antlr4::CommonTokenStream stream;
    P parser;

    Piece(std::vector<std::unique_ptr<antlr4::Token>> tokens)
        : source(std::move(tokens)), stream(&source), parser(&stream) {
        parser.removeErrorListeners();
        parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
            antlr4::atn::PredictionMode::SLL);
        parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    }
};

} // namespace

Span ChunkedParser::span(size_t first, size_t last) const {
    return {tokens_[first].start, tokens_[last].stop + 1};
}

size_t ChunkedParser::atom_end(size_t i) const {
    switch (type(i)) {
    case P::IPV4:
    case P::IPV6:
        return type(i + 1) == P::SLASH && type(i + 2) == P::INT ? i + 3 : i + 1;
    case P::INT:
    case P::STRING:
    case P::TRUE:
    case P::FALSE:
    case P::BAD_DOTTED:
        return i + 1;
    case P::IDENT: {
        size_t j = i + 1;
        while (type(j) == P::DOT && type(j + 1) == P::IDENT)
            j += 2;
        return j;
    }
    default:
        return kFail;
    }
}

size_t ChunkedParser::value_end(size_t i) const {
    if (type(i) == P::LBRACE || type(i) == P::LBRACK) return match_[i] + 1;
    size_t j = atom_end(i);
    if (j != kFail && type(j) == P::DASH) j = atom_end(j + 1);
    return j;
}

size_t ChunkedParser::element_end(size_t i) const {
    if (type(i) != P::IDENT) return kFail;
    if (type(i + 1) == P::DCOLON)
        return type(i + 2) == P::IDENT && type(i + 3) == P::IDENT && type(i + 4) == P::LBRACE
                   ? match_[i + 4] + 1
                   : kFail;
    if (type(i + 1) == P::IDENT) return value_end(i + 2);
    size_t j = i + 1;
    while (type(j) == P::DOT && type(j + 1) == P::IDENT)
        j += 2;
    return type(j) == P::COLON ? value_end(j + 1) : kFail;
}

size_t ChunkedParser::statement_end(size_t i) const {
    if (type(i) == P::IF) {
        if (type(i + 1) != P::LPAREN) return kFail;
        size_t j = match_[i + 1] + 1;
        if (type(j) != P::LBRACE) return kFail;
        j = match_[j] + 1;
        while (type(j) == P::ELSE) {
            if (type(j + 1) == P::LBRACE) return match_[j + 1] + 1;
            if (type(j + 1) != P::IF || type(j + 2) != P::LPAREN) return kFail;
            j = match_[j + 2] + 1;
            if (type(j) != P::LBRACE) return kFail;
            j = match_[j] + 1;
        }
        return j;
    }
    if (type(i) != P::IDENT) return kFail;
    if (type(i + 1) == P::DCOLON)
        return type(i + 2) == P::IDENT && type(i + 3) == P::LBRACE ? match_[i + 3] + 1 : kFail;
    if (type(i + 1) == P::LPAREN) return match_[i + 1] + 1;
    return i + 1;
}

bool ChunkedParser::parse_elements(size_t begin, size_t end, ast::Program& out) {
    if (begin == end) return true;
    Piece piece(materialize(tokens_, begin, end, source_, input_));
    auto* tree = piece.parser.program();
    ast::Program part = AstBuilder(diags_).build(tree);
    for (auto& t : part.typed)
        out.typed.push_back(std::move(t));
    for (auto& a : part.assignments)
        out.assignments.push_back(std::move(a));
    for (auto& f : part.functions)
        out.functions.push_back(std::move(f));
    return true;
}

std::optional<ast::Block> ChunkedParser::block(size_t open) {
    ast::Block out;
    size_t close = match_[open];
    out.span = span(open, close);
    // Runs of small statements become pieces; a large statement is split
    // further. Counting first: growing a vector of 100,000 statements step by
    // step costs more than this walk over the brackets.
    std::vector<Segment> segments;
    size_t count = 0, pending = open + 1;
    for (size_t i = open + 1; i < close; ++count) {
        size_t end = statement_end(i);
        if (end == kFail || end > close) return std::nullopt;
        if (end - i > kLarge) {
            if (pending < i) segments.push_back({pending, i, false});
            segments.push_back({i, end, true});
            pending = end;
        } else if (end - pending > kPiece) {
            segments.push_back({pending, end, false});
            pending = end;
        }
        i = end;
    }
    if (pending < close) segments.push_back({pending, close, false});
    out.statements.reserve(count);

    std::vector<PieceResult> pieces = parse_pieces(segments);
    for (size_t k = 0; k < segments.size(); ++k) {
        if (segments[k].large) {
            auto s = large_statement(segments[k].begin, segments[k].end);
            if (!s) return std::nullopt;
            out.statements.push_back(std::move(*s));
            continue;
        }
        if (!pieces[k].ok) return std::nullopt;
        for (auto& d : pieces[k].diags.all())
            diags_.error(d.span, d.message).notes = d.notes;
        for (auto& st : pieces[k].statements)
            out.statements.push_back(std::move(st));
    }
    return out;
}

std::vector<ChunkedParser::PieceResult> ChunkedParser::parse_pieces(const std::vector<Segment>& segments) {
    std::vector<PieceResult> results(segments.size());
    std::atomic<size_t> next{0};
    // Pieces are independent: each has its own tokens, parser and tree. The
    // ANTLR 4.9 runtime guards the DFA cache its parsers share with locks.
    auto work = [&] {
        for (size_t k; (k = next++) < segments.size();) {
            if (segments[k].large) continue;
            try {
                Piece piece(materialize(tokens_, segments[k].begin, segments[k].end, source_, input_));
                auto* tree = piece.parser.statementList();
                AstBuilder builder(results[k].diags);
                auto statements = tree->statement();
                results[k].statements.reserve(statements.size());
                for (auto* st : statements)
                    results[k].statements.push_back(builder.statement(st));
                results[k].ok = true;
            } catch (...) {
                results[k].ok = false; // the caller falls back to the ordinary parse
            }
        }
    };
    size_t small = std::count_if(segments.begin(), segments.end(), [](auto& s) { return !s.large; });
    // NACL_PARSE_THREADS=1 parses on one thread (an escape hatch, and for
    // comparing timings).
    static const size_t limit = [] {
        const char* env = std::getenv("NACL_PARSE_THREADS");
        long n = env ? std::strtol(env, nullptr, 10) : 0;
        return n > 0 ? static_cast<size_t>(n) : kMaxThreads;
    }();
    size_t threads = std::min<size_t>({limit, std::max(1u, std::thread::hardware_concurrency()), small});
    std::vector<std::thread> helpers;
    for (size_t t = 1; t < threads; ++t)
        helpers.emplace_back(work);
    work();
    for (auto& h : helpers)
        h.join();
    return results;
}

std::optional<ast::Statement> ChunkedParser::large_statement(size_t begin, size_t end) {
    ast::Statement s;
    s.span = span(begin, end - 1);
    if (type(begin) == P::IDENT) { // a nested function: Kind::Subtype { ... }
        s.kind = ast::Statement::Kind::Nested;
        auto ident = [&](size_t i) {
            return ast::Ident{
                input_->getText(antlr4::misc::Interval(ssize_t(tokens_[i].start), ssize_t(tokens_[i].stop))),
                span(i, i)};
        };
        s.head = {ident(begin), ident(begin + 2)};
        auto body = block(begin + 3);
        if (!body) return std::nullopt;
        s.body = std::make_unique<ast::Block>(std::move(*body));
        return s;
    }
    // if (...) { ... } else if (...) { ... } else { ... }
    s.kind = ast::Statement::Kind::If;
    size_t i = begin;
    while (i < end) {
        size_t open_paren = type(i) == P::IF ? i + 1 : i + 2; // `if (` or `else if (`
        if (type(i) == P::ELSE && type(i + 1) == P::LBRACE) {
            auto body = block(i + 1);
            if (!body) return std::nullopt;
            s.else_body = std::make_unique<ast::Block>(std::move(*body));
            break;
        }
        size_t close_paren = match_[open_paren];
        ast::Branch branch;
        branch.span = span(i, close_paren);
        Piece piece(materialize(tokens_, open_paren + 1, close_paren, source_, input_));
        auto* tree = piece.parser.conditionOnly();
        branch.condition = AstBuilder(diags_).condition(tree->condition());
        auto body = block(close_paren + 1);
        if (!body) return std::nullopt;
        branch.body = std::move(*body);
        s.branches.push_back(std::move(branch));
        i = match_[close_paren + 1] + 1;
    }
    return s;
}

std::optional<ast::Program> ChunkedParser::run() {
    // Matching brackets; unbalanced input is for the ordinary parse to report.
    if (tokens_.size() >= UINT32_MAX) return std::nullopt;
    match_.assign(tokens_.size(), 0);
    std::vector<size_t> stack;
    for (size_t i = 0; i < tokens_.size(); ++i) {
        if (opens(tokens_[i].type)) {
            stack.push_back(i);
        } else if (closes(tokens_[i].type)) {
            if (stack.empty()) return std::nullopt;
            size_t o = stack.back();
            stack.pop_back();
            bool pair = (tokens_[o].type == P::LBRACE && tokens_[i].type == P::RBRACE) ||
                        (tokens_[o].type == P::LBRACK && tokens_[i].type == P::RBRACK) ||
                        (tokens_[o].type == P::LPAREN && tokens_[i].type == P::RPAREN);
            if (!pair) return std::nullopt;
            match_[o] = static_cast<uint32_t>(i);
            match_[i] = static_cast<uint32_t>(o);
        }
    }
    if (!stack.empty()) return std::nullopt;

    try {
        ast::Program out;
        size_t pending = 0;
        for (size_t i = 0; i < tokens_.size();) {
            size_t end = element_end(i);
            if (end == kFail || end > tokens_.size()) return std::nullopt;
            if (end - i > kLarge && type(i + 1) == P::DCOLON) {
                if (!parse_elements(pending, i, out)) return std::nullopt;
                ast::Function f;
                auto ident = [&](size_t k) {
                    return ast::Ident{input_->getText(antlr4::misc::Interval(ssize_t(tokens_[k].start),
                                                                             ssize_t(tokens_[k].stop))),
                                      span(k, k)};
                };
                f.head = {ident(i), ident(i + 2)};
                f.name = ident(i + 3);
                f.span = span(i, end - 1);
                auto body = block(i + 4);
                if (!body) return std::nullopt;
                f.body = std::move(*body);
                out.functions.push_back(std::move(f));
                pending = end;
            } else if (end - pending > kPiece) {
                if (!parse_elements(pending, end, out)) return std::nullopt;
                pending = end;
            }
            i = end;
        }
        if (!parse_elements(pending, tokens_.size(), out)) return std::nullopt;
        return out;
    } catch (const antlr4::ParseCancellationException&) {
        return std::nullopt;
    }
}

} // namespace nacl::syntax
