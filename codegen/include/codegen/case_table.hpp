#pragma once
// `naclc test` case tables (shared/docs/nacl-language.md section 7): a header naming the columns, then
// one packet per line with the verdict it should get.

#include "nacl/evaluate.hpp"
#include "nacl/ir.hpp"

#include <optional>
#include <string>
#include <vector>

namespace codegen {

struct TestCase {
    uint32_t line = 0;
    std::string text;        // the line as written (without its comment)
    std::string chain;       // as written
    bool is_chain = true;    // a hook's chain, or else a top-level function
    uint32_t index = 0;      // Program::chains index, or top_level_functions() position
    bool empty_hook = false; // a hook with no chain: every packet passes
    nacl::ir::Packet packet;
    nacl::ir::Verdict expect = nacl::ir::Verdict::Accept;
};

struct CaseTableError {
    uint32_t line = 0, column = 0;
    std::string message;
};

// Parses `text` (the table named `name`) against `program`. On the first malformed line returns none
// and sets `error`.
std::optional<std::vector<TestCase>> parse_case_table(const nacl::ir::Program& program,
                                                      const std::string& text, CaseTableError& error);

} // namespace codegen
