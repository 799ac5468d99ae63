#pragma once
// The whole front end in one call: text -> diagnostics and, when there are no
// errors, the IR.

#include "nacl/diagnostics.hpp"
#include "nacl/ir.hpp"
#include "nacl/source.hpp"

#include <optional>

namespace nacl {

std::optional<ir::Program> compile(const SourceFile& file, Diagnostics& diags);

} // namespace nacl
