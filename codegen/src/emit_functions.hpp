#pragma once
// The C++ functions of the top-level functions: compiled (flattened, tables for long runs) or linear
// (statements as written).

#include "codegen/emit_cpp.hpp"
#include "cpp_writer.hpp"

#include <map>
#include <string>

namespace codegen {

// A table's prepare function (appliance::PrepareFunction) and the size of the table.
struct PreparedTable {
    std::string symbol;
    uint64_t bytes = 0;
};

struct FunctionOutput {
    std::string code;                              // the functions
    std::map<std::string, PreparedTable> prepared; // per function symbol: its largest prepared table
    Tables tables;                                 // their data (log arguments, sets, decision tables)
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
