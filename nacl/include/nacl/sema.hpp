#pragma once
// Semantic analysis: AST -> IR, with every check of the language reference.
// Errors and warnings go to `diags`; no IR is returned when there are errors.

#include "nacl/ast.hpp"
#include "nacl/diagnostics.hpp"
#include "nacl/ir.hpp"

#include <optional>

namespace nacl {

std::optional<ir::Program> analyse(ast::Program program, const SourceFile& file, Diagnostics& diags);

} // namespace nacl
