#pragma once
// The C++ functions of the top-level functions: compiled (flattened, tables for long runs) or linear
// (statements as written).

#include "codegen/emit_cpp.hpp"
#include "cpp_writer.hpp"

#include <string>

namespace codegen {

struct FunctionOutput {
    std::string code; // the functions
    Tables tables;    // their data (log arguments, sets, decision tables)
    std::vector<RuleEntry> rules;
    EmitStats stats;
};

// The C++ name of a top-level function.
std::string function_symbol(const nacl::ir::Program& program, size_t function);

void emit_linear_function(const nacl::ir::Program& program, size_t function, const EmitOptions& options,
                          FunctionOutput& out);
void emit_compiled_function(const nacl::ir::Program& program, size_t function, const EmitOptions& options,
                            FunctionOutput& out);

} // namespace codegen
