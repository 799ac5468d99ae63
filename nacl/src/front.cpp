#include "nacl/front.hpp"

#include "nacl/parse.hpp"
#include "nacl/sema.hpp"

namespace nacl {

std::optional<ir::Program> compile(const SourceFile& file, Diagnostics& diags) {
    auto ast = parse(file, diags);
    if (!ast) return std::nullopt;
    auto program = analyse(std::move(*ast), file, diags);
    if (diags.has_errors()) return std::nullopt;
    return program;
}

} // namespace nacl
