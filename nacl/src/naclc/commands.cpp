// The table of naclc subcommands. To add one, write its setup function and
// add a row; to add an output format, add a row to emit_formats().
#include "command.hpp"

#include "nacl/ir_json.hpp"

#include <fstream>
#include <iostream>

namespace naclc {

namespace {

std::function<int()> setup_check(CLI::App& sub, const GlobalOptions& global) {
    auto file = std::make_shared<std::string>();
    sub.add_option("FILE", *file, "the configuration (.nacl), or - for standard input")->required();
    return [file, &global] {
        int code = kExitOk;
        compile_input(*file, global, code);
        return code;
    };
}

std::function<int()> setup_emit(CLI::App& sub, const GlobalOptions& global) {
    sub.require_subcommand(1);
    struct State {
        std::string file, output;
    };
    std::vector<std::pair<CLI::App*, const EmitFormat*>> formats;
    auto state = std::make_shared<State>();
    for (const EmitFormat& format : emit_formats()) {
        CLI::App* f = sub.add_subcommand(format.name, format.summary);
        f->fallthrough();
        f->add_option("FILE", state->file, "the configuration (.nacl), or - for standard input")->required();
        f->add_option("-o,--output", state->output, "write here instead of standard output");
        formats.push_back({f, &format});
    }
    return [state, formats, &global] {
        for (auto [app, format] : formats) {
            if (!app->parsed()) continue;
            int code = kExitOk;
            auto program = compile_input(state->file, global, code);
            if (!program) return code; // no output file on errors
            if (state->output.empty()) return format->write(*program, std::cout);
            std::ofstream out(state->output, std::ios::binary);
            if (!out) {
                std::cerr << "naclc: error: cannot write " << state->output << "\n";
                return kExitUsage;
            }
            return format->write(*program, out);
        }
        return kExitUsage;
    };
}

const Command kCommands[] = {
    {"check", "check a configuration and print its diagnostics", setup_check},
    {"emit", "compile a configuration and write an intermediate form", setup_emit},
};

const EmitFormat kFormats[] = {
    {"ir", "the typed IR as JSON (schema: nacl/docs/ir-schema.md)",
     [](const nacl::ir::Program& program, std::ostream& out) {
         out << nacl::ir::to_json_text(program);
         return out ? kExitOk : kExitUsage;
     }},
};

} // namespace

std::span<const Command> builtin_commands() {
    return kCommands;
}
std::span<const EmitFormat> emit_formats() {
    return kFormats;
}

} // namespace naclc
