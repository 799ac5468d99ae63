#pragma once
// naclc's subcommands are rows of a table (commands.cpp), so later layers
// (codegen: build, emit cpp, run, test) register by adding a row, without
// touching the driver.

#include "nacl/diagnostics.hpp"
#include "nacl/ir.hpp"

#include <CLI/CLI.hpp>

#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace naclc {

// Exit codes of every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInputErrors = 1; // the configuration (or a case table) has errors
inline constexpr int kExitUsage = 2;       // bad command line, unreadable file

struct GlobalOptions {
    bool werror = false;
};

// A subcommand adds its options to `sub` and returns what runs when it was
// chosen; the returned function owns the option storage.
struct Command {
    const char* name;
    const char* summary;
    std::function<std::function<int()>(CLI::App& sub, const GlobalOptions& global)> setup;
};

std::span<const Command> builtin_commands();

// `emit FORMAT FILE`: one row per output format. `setup` adds the format's own options (for example
// `emit cpp --linear`) to its subcommand and returns the writer, which owns their storage.
using EmitWriter = std::function<int(const nacl::ir::Program& program, std::ostream& out)>;
struct EmitFormat {
    const char* name;
    const char* summary;
    std::function<EmitWriter(CLI::App& format)> setup;
};

// Rows implemented with codegen/ (codegen_commands.cpp).
std::function<int()> setup_test(CLI::App& sub, const GlobalOptions& global);
std::function<int()> setup_build(CLI::App& sub, const GlobalOptions& global);
std::function<int()> setup_run(CLI::App& sub, const GlobalOptions& global);
EmitWriter setup_emit_cpp(CLI::App& format);

std::span<const EmitFormat> emit_formats();

// Shared by the subcommands: read FILE (`-` = standard input), compile it,
// print diagnostics to stderr. Sets `exit_code` and returns no program on
// any error.
std::optional<nacl::ir::Program> compile_input(const std::string& path, const GlobalOptions& global,
                                               int& exit_code);

} // namespace naclc
