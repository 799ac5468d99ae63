// The table of naclc subcommands. To add one, write its setup function and
// add a row; to add an output format, add a row to emit_formats().
#include "command.hpp"

#include "codegen/toolchain.hpp"
#include "nacl/ir_json.hpp"

#include <filesystem>
#include <iostream>
#include <sstream>

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
    std::vector<std::pair<CLI::App*, EmitWriter>> formats;
    auto state = std::make_shared<State>();
    for (const EmitFormat& format : emit_formats()) {
        CLI::App* f = sub.add_subcommand(format.name, format.summary);
        f->fallthrough();
        f->add_option("FILE", state->file, "the configuration (.nacl), or - for standard input")->required();
        f->add_option("-o,--output", state->output, "write here instead of standard output");
        formats.push_back({f, format.setup(*f)});
    }
    return [state, formats, &global] {
        for (auto& [app, write] : formats) {
            if (!app->parsed()) continue;
            int code = kExitOk;
            auto program = compile_input(state->file, global, code);
            if (!program) return code; // no output file on errors
            if (state->output.empty()) return write(*program, std::cout);
            // The whole text first, then into place in one step: a failure on the way leaves no output,
            // not a truncated one.
            std::ostringstream text;
            if (int written = write(*program, text); written != kExitOk) return written;
            if (!codegen::replace_file(state->output, [&](const std::filesystem::path& temporary) {
                    return codegen::write_file(temporary, text.str());
                })) {
                std::cerr << "naclc: error: cannot write " << state->output << "\n";
                return kExitUsage;
            }
            return kExitOk;
        }
        return kExitUsage;
    };
}

const Command kCommands[] = {
    {"check", "check a configuration and print its diagnostics", setup_check},
    {"emit", "compile a configuration and write an intermediate form", setup_emit},
    {"test", "run the compiled chains of a configuration on a table of packets (see --help)", setup_test},
    {"build", "compile a configuration into a bootable image or a Linux executable", setup_build},
    {"run", "build a configuration and boot it under QEMU", setup_run},
};

const EmitFormat kFormats[] = {
    {"ir", "the typed IR as JSON (schema: nacl/docs/ir-schema.md)",
     [](CLI::App&) -> EmitWriter {
         return [](const nacl::ir::Program& program, std::ostream& out) {
             out << nacl::ir::to_json_text(program);
             return out ? kExitOk : kExitUsage;
         };
     }},
    {"cpp", "the generated C++ of the appliance (one translation unit)", setup_emit_cpp},
};

} // namespace

std::span<const Command> builtin_commands() {
    return kCommands;
}
std::span<const EmitFormat> emit_formats() {
    return kFormats;
}

} // namespace naclc
