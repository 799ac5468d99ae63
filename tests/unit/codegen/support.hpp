#pragma once
// Helpers of the codegen unit tests: compile NaCl text or an example into the IR.

#include "nacl/front.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace codegen_test {

inline nacl::ir::Program compile_text(const std::string& text, const std::string& name = "test.nacl") {
    nacl::SourceFile file(name, text);
    nacl::Diagnostics diags;
    auto program = nacl::compile(file, diags);
    EXPECT_FALSE(diags.has_errors()) << text;
    return program ? *program : nacl::ir::Program{};
}

inline nacl::ir::Program compile_example(const std::string& name) {
    std::ifstream in(std::string(HALITE_EXAMPLES_DIR) + "/" + name);
    std::stringstream text;
    text << in.rdbuf();
    return compile_text(text.str(), name);
}

} // namespace codegen_test
