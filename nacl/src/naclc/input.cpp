#include "command.hpp"

#include "nacl/front.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

namespace naclc {

std::optional<nacl::ir::Program> compile_input(const std::string& path, const GlobalOptions& global,
                                               int& exit_code) {
    std::string text, name = path;
    if (path == "-") {
        std::ostringstream buffer;
        buffer << std::cin.rdbuf();
        text = buffer.str();
        name = "<stdin>";
    } else {
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            std::cerr << "naclc: error: cannot read " << path << "\n";
            exit_code = kExitUsage;
            return std::nullopt;
        }
        std::ostringstream buffer;
        buffer << in.rdbuf();
        text = buffer.str();
    }
    nacl::SourceFile file(name, text);
    nacl::Diagnostics diags;
    auto program = nacl::compile(file, diags);
    if (global.werror) diags.promote_warnings();
    // std::cerr is unbuffered: render into one buffer and write it once, or
    // thousands of warnings cost a system call per piece of text.
    std::ostringstream rendered;
    nacl::render_all(rendered, file, diags);
    std::cerr << rendered.str();
    if (diags.has_errors()) {
        exit_code = kExitInputErrors;
        return std::nullopt;
    }
    exit_code = kExitOk;
    return program;
}

} // namespace naclc
