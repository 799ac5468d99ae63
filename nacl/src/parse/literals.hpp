#pragma once
// Decoding of literal tokens into AST values. Each function reports its own
// error and still returns a value, so one bad literal does not hide others.

#include "nacl/ast.hpp"
#include "nacl/diagnostics.hpp"

#include <string_view>

namespace nacl::syntax {

uint64_t decode_integer(std::string_view text, Span span, Diagnostics& diags);
ast::Address decode_ipv4(std::string_view text, Span span, Diagnostics& diags);
ast::Address decode_ipv6(std::string_view text, Span span, Diagnostics& diags);
// `text` includes the quotes.
std::string decode_string(std::string_view text, Span span, Diagnostics& diags);

} // namespace nacl::syntax
