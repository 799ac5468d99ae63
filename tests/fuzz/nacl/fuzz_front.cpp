// Any input must give diagnostics or an IR, and every IR must compile to C++ in both translations: no
// crash, no hang, no leak, no sanitizer report. Brackets are bounded by the parser (kMaxNesting), so
// deep nesting is part of what this explores.
#include "codegen/emit_cpp.hpp"
#include "nacl/evaluate.hpp"
#include "nacl/front.hpp"
#include "nacl/ir_json.hpp"
#include "nacl/parse.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // Real configurations are far smaller; huge inputs only slow the search.
    if (size > 64 * 1024) return 0;
    nacl::SourceFile file("fuzz.nacl", std::string_view(reinterpret_cast<const char*>(data), size));
    // naclc lexes with a hand-written lexer; the grammar's lexer is the
    // reference and must agree on every input.
    std::string difference;
    if (!nacl::lexers_agree(file.text(), &difference)) {
        std::fprintf(stderr, "lexers disagree: %s\n", difference.c_str());
        std::abort();
    }
    nacl::Diagnostics diags;
    auto program = nacl::compile(file, diags);
    std::ostringstream text;
    nacl::render_all(text, file, diags);
    if (program) {
        text << nacl::ir::to_json_text(*program);
        nacl::ir::Packet packet = nacl::ir::Packet::make(6, 0x0A000001, 0x0A000002);
        for (auto& chain : program->chains)
            nacl::ir::evaluate(*program, chain, packet);
        // The rule compiler: flattening, conditions as boxes, decision tables (a low threshold, so small
        // inputs reach them), and the reference translation. Both number the rules the same way.
        codegen::EmitOptions options;
        options.table_threshold = 2;
        codegen::EmitResult compiled = codegen::emit_cpp(*program, options);
        options.linear = true;
        codegen::EmitResult linear = codegen::emit_cpp(*program, options);
        if (compiled.rules.size() != linear.rules.size()) {
            std::fprintf(stderr, "rule tables differ: compiled %zu, linear %zu\n", compiled.rules.size(),
                         linear.rules.size());
            std::abort();
        }
    }
    return 0;
}
