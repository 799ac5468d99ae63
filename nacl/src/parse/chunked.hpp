#pragma once
// Parsing a large configuration in pieces, so the parse tree of the whole
// file never exists at once: ANTLR's tree for 100,000 rules takes over half a
// gigabyte, and allocating it dominates the time.
//
// The token stream is split where the grammar leaves no choice (top-level
// elements, the statements of a block, found by matching brackets); each piece
// is parsed with SLL prediction on its own and turned into AST at once (the
// pieces of a block on several threads). Large functions, nested functions
// and `if` bodies are split recursively. This is
// only the fast path for input that parses: any piece that does not parse, or
// any token sequence the splitter does not recognise, makes run() return
// nothing, and the caller parses the whole file the ordinary way to report
// errors. Pieces are parsed by the same grammar rules, so a file that parses
// in pieces parses the same way whole.

#include "tokens.hpp"

#include "nacl/ast.hpp"
#include "nacl/diagnostics.hpp"

#include <optional>

namespace nacl::syntax {

class ChunkedParser {
public:
    ChunkedParser(const std::vector<LexedToken>& tokens, antlr4::TokenSource* source,
                  antlr4::CharStream* input, Diagnostics& diags)
        : tokens_(tokens), source_(source), input_(input), diags_(diags) {}

    std::optional<ast::Program> run();

    // Pieces are about this many tokens; a construct larger than kLarge is
    // split instead of parsed as one piece.
    static constexpr size_t kPiece = 8192;
    static constexpr size_t kLarge = 4096;
    // The pieces of one block are parsed by up to this many threads.
    static constexpr size_t kMaxThreads = 4;

private:
    static constexpr size_t kFail = SIZE_MAX;
    size_t type(size_t i) const { return i < tokens_.size() ? tokens_[i].type : SIZE_MAX; }
    size_t element_end(size_t i) const;
    size_t value_end(size_t i) const;
    size_t atom_end(size_t i) const;
    size_t statement_end(size_t i) const;
    Span span(size_t first, size_t last) const; // tokens first..last inclusive

    struct Segment {
        size_t begin, end;
        bool large; // split further by large_statement()
    };
    struct PieceResult {
        std::vector<ast::Statement> statements;
        Diagnostics diags;
        bool ok = false;
    };
    std::vector<PieceResult> parse_pieces(const std::vector<Segment>& segments);

    bool parse_elements(size_t begin, size_t end, ast::Program& out);
    std::optional<ast::Block> block(size_t open);
    std::optional<ast::Statement> large_statement(size_t begin, size_t end);

    const std::vector<LexedToken>& tokens_;
    std::vector<uint32_t> match_; // index of the matching bracket
    antlr4::TokenSource* source_;
    antlr4::CharStream* input_;
    Diagnostics& diags_;
};

} // namespace nacl::syntax
