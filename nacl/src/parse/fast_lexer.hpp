#pragma once
// A hand-written lexer with exactly the token rules of grammar/NaCl.g4
// (longest match, ties to the earlier rule), about ten times faster than the
// generated one on large files. The generated lexer stays the reference:
// lexers_agree() compares the two and the fuzz target runs it on every input.

#include "tokens.hpp"

#include <string_view>

namespace nacl::syntax {

// Every token of `utf8` (valid UTF-8) except the skipped ones (blanks and
// comments), in order, with code-point offsets, 1-based lines and 0-based
// columns, as the generated lexer reports them.
std::vector<LexedToken> fast_lex(std::string_view utf8);

} // namespace nacl::syntax
