#pragma once
// Tokens kept compactly after lexing (the ANTLR token objects are large), and
// turned back into ANTLR tokens for the piece of input being parsed.

#include "nacl/source.hpp"

#include <antlr4-runtime.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace nacl::syntax {

struct LexedToken {
    uint32_t type;
    uint32_t start, stop; // code points, stop inclusive
    uint32_t line, column;
};

// ANTLR tokens for tokens[begin, end), reading their text from `input`.
std::vector<std::unique_ptr<antlr4::Token>> materialize(const std::vector<LexedToken>& tokens, size_t begin,
                                                        size_t end, antlr4::TokenSource* source,
                                                        antlr4::CharStream* input);

} // namespace nacl::syntax
