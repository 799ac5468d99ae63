#pragma once
// Source text -> AST. Lexical and syntax errors go to `diags`; literal errors
// (a bad address, an empty range, an unknown escape) are reported too but still
// yield an AST, so semantic analysis can report independent errors.

#include "nacl/ast.hpp"
#include "nacl/diagnostics.hpp"
#include "nacl/source.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace nacl {

// Brackets deeper than this are refused before parsing, so no input can
// exhaust the stack of the recursive-descent parser or of later passes.
inline constexpr uint32_t kMaxNesting = 100;

// How the parser goes through the file. Auto: in pieces (src/parse/chunked.hpp),
// and whole when that fails, for the error messages. Tests use PiecesOnly
// (no fallback) and Whole to check both ways give one AST.
enum class ParseMode { Auto, PiecesOnly, Whole };

// Returns no AST when the file has lexical or syntax errors.
std::optional<ast::Program> parse(const SourceFile& file, Diagnostics& diags,
                                  ParseMode mode = ParseMode::Auto);

// Test hook: the hand-written lexer used for speed and the lexer generated
// from the grammar give the same tokens for valid UTF-8 `utf8`. On a
// difference, says where in `difference`.
bool lexers_agree(std::string_view utf8, std::string* difference = nullptr);

} // namespace nacl
