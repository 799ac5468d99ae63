// naclc: the NaCl compiler driver. Subcommands come from the table in
// commands.cpp.
#include "command.hpp"

#include <cstdlib>
#include <iostream>
#include <new>
#include <stdexcept>

#ifndef NACLC_VERSION
#define NACLC_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
    CLI::App app{"naclc: compile NaCl configurations into Halite appliances"};
    app.set_version_flag("--version", "naclc " NACLC_VERSION);
    naclc::GlobalOptions global;
    app.add_flag("--Werror", global.werror, "treat warnings as errors");
    app.require_subcommand(1);

    std::vector<std::pair<CLI::App*, std::function<int()>>> commands;
    for (const naclc::Command& command : naclc::builtin_commands()) {
        CLI::App* sub = app.add_subcommand(command.name, command.summary);
        sub->fallthrough(); // `naclc check --Werror f` as well as `naclc --Werror check f`
        commands.push_back({sub, command.setup(*sub, global)});
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version end parsing with exit code 0.
        return app.exit(e) == 0 ? naclc::kExitOk : naclc::kExitUsage;
    }
    int code = naclc::kExitUsage;
    try {
        for (auto& [sub, run] : commands)
            if (sub->parsed()) code = run();
    } catch (const std::bad_alloc&) {
        // A configuration too large for this machine: say so instead of aborting. Outputs are written
        // by rename once complete, so nothing partial is left behind.
        std::cerr << "naclc: error: out of memory\n";
        code = naclc::kExitUsage;
    } catch (const std::length_error& e) {
        // A configuration beyond a limit of an encoding (a decision table's references).
        std::cerr << "naclc: error: " << e.what() << "\n";
        code = naclc::kExitUsage;
    }
    // The IR and AST of a large configuration take a noticeable time to free,
    // and the process is ending anyway.
    std::cout.flush();
    std::cerr.flush();
    std::_Exit(code);
}
