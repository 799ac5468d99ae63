#pragma once
// Helpers for the front-end tests: compile text, get the IR or the messages.

#include "nacl/front.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace nacl::test {

struct Compiled {
    std::optional<ir::Program> program;
    Diagnostics diags;
    std::string rendered;
};

inline Compiled compile_text(const std::string& text, bool werror = false) {
    Compiled c;
    SourceFile file("test.nacl", text);
    c.program = compile(file, c.diags);
    if (werror) c.diags.promote_warnings();
    std::ostringstream out;
    render_all(out, file, c.diags);
    c.rendered = out.str();
    return c;
}

// The IR of a configuration that must compile; fails the test otherwise.
inline ir::Program must_compile(const std::string& text) {
    Compiled c = compile_text(text);
    EXPECT_TRUE(c.program.has_value()) << c.rendered;
    return c.program ? std::move(*c.program) : ir::Program{};
}

// "line:col: severity: message" for every diagnostic, in order.
inline std::vector<std::string> messages(const std::string& text) {
    SourceFile file("test.nacl", text);
    Diagnostics diags;
    compile(file, diags);
    std::vector<std::string> out;
    for (auto& d : diags.sorted()) {
        Position p = file.position(d.span.begin);
        out.push_back(std::to_string(p.line) + ":" + std::to_string(p.column) + ": " +
                      (d.severity == Severity::Error ? "error: " : "warning: ") + d.message);
    }
    return out;
}

inline const char* kTwoIfaces = "Iface outside { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\n"
                                "Iface inside { index: 1, address: 10.1.0.1, netmask: 255.255.255.0 }\n";

} // namespace nacl::test
