// The subcommands backed by codegen/: `emit cpp`, `test`, `build`, `run`. The work is in
// codegen/include/codegen/commands.hpp; here are only their options.
#include "codegen/commands.hpp"
#include "codegen/toolchain.hpp"
#include "command.hpp"

#include <chrono>
#include <iostream>

namespace naclc {

namespace {

// Options every code-generating subcommand has.
struct CodegenOptions {
    bool linear = false;
    uint32_t table_threshold = codegen::EmitOptions{}.table_threshold;
    uint64_t prepare_kib = codegen::EmitOptions{}.prepare_min_bytes / 1024;
    std::string exported_namespace = codegen::EmitOptions{}.exported_namespace;

    void add(CLI::App& app, bool hidden_tuning) {
        app.add_flag("--linear", linear, "emit the rules as plain if-chains (the reference translation)");
        auto* threshold = app.add_option("--table-threshold", table_threshold,
                                         "runs of at least this many rules become decision tables");
        if (hidden_tuning) {
            auto* ns = app.add_option("--namespace", exported_namespace,
                                      "namespace of the exported symbols (to link several units together)");
            ns->group("");
        }
        threshold->group("");
        app.add_option("--prepare-kib", prepare_kib,
                       "tables of at least this many KiB are looked up for a received burst at once")
            ->group("");
    }
    codegen::EmitOptions emit() const {
        codegen::EmitOptions o;
        o.linear = linear;
        o.table_threshold = std::max<uint32_t>(1, table_threshold);
        o.prepare_min_bytes = prepare_kib * 1024;
        o.exported_namespace = exported_namespace;
        return o;
    }
};

bool parse_platform(const std::string& name, codegen::Platform& out) {
    if (name == "microvm")
        out = codegen::Platform::Microvm;
    else if (name == "pc")
        out = codegen::Platform::Pc;
    else if (name == "linux")
        out = codegen::Platform::Linux;
    else
        return false;
    return true;
}

} // namespace

EmitWriter setup_emit_cpp(CLI::App& format) {
    auto options = std::make_shared<CodegenOptions>();
    options->add(format, true);
    return [options](const nacl::ir::Program& program, std::ostream& out) {
        out << codegen::emit_cpp(program, options->emit()).text;
        return out ? kExitOk : kExitUsage;
    };
}

std::function<int()> setup_test(CLI::App& sub, const GlobalOptions& global) {
    struct State {
        std::string file, cases;
        CodegenOptions codegen;
    };
    auto state = std::make_shared<State>();
    sub.add_option("FILE", state->file, "the configuration (.nacl), or - for standard input")->required();
    sub.add_option("CASES", state->cases,
                   "the case table: a header naming the columns (chain iif oif proto saddr daddr sport dport "
                   "flags icmp_type icmp_code ct ttl length expect), then one packet per line")
        ->required();
    state->codegen.add(sub, false);
    sub.footer(
        "Exit status: 0 all cases pass, 1 a case fails (or the configuration has errors), 2 a malformed "
        "table or bad command line.");
    return [state, &global] {
        int code = kExitOk;
        auto program = compile_input(state->file, global, code);
        if (!program) return code;
        codegen::TestCommand command{state->cases, codegen::halite_lib_dir(), state->codegen.emit()};
        return codegen::run_test_command(*program, command, std::cout, std::cerr);
    };
}

std::function<int()> setup_build(CLI::App& sub, const GlobalOptions& global) {
    struct State {
        std::string file, output, platform = "microvm";
        CodegenOptions codegen;
    };
    auto state = std::make_shared<State>();
    sub.add_option("FILE", state->file, "the configuration (.nacl), or - for standard input")->required();
    sub.add_option("-o,--output", state->output, "the image (or Linux executable) to write")->required();
    sub.add_option("--platform", state->platform,
                   "microvm or pc (the same PVH image boots on both), or linux (a Linux executable)")
        ->check(CLI::IsMember({"microvm", "pc", "linux"}));
    state->codegen.add(sub, false);
    return [state, &global] {
        auto start = std::chrono::steady_clock::now();
        int code = kExitOk;
        auto program = compile_input(state->file, global, code);
        if (!program) return code;
        codegen::BuildCommand command;
        command.output = state->output;
        parse_platform(state->platform, command.platform);
        command.lib_dir = codegen::halite_lib_dir();
        command.emit = state->codegen.emit();
        command.front_end_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return codegen::run_build_command(*program, command, std::cerr);
    };
}

std::function<int()> setup_run(CLI::App& sub, const GlobalOptions& global) {
    struct State {
        std::string file, platform = "microvm", accel = "tcg", memory = "128M";
        std::vector<std::string> taps;
        CodegenOptions codegen;
    };
    auto state = std::make_shared<State>();
    sub.add_option("FILE", state->file, "the configuration (.nacl), or - for standard input")->required();
    sub.add_option("--tap", state->taps,
                   "a TAP device for the next NIC (repeat: one virtio-net NIC per tap)");
    sub.add_option("--platform", state->platform, "microvm or pc")->check(CLI::IsMember({"microvm", "pc"}));
    sub.add_option("--accel", state->accel, "QEMU accelerator: tcg (default) or kvm")
        ->check(CLI::IsMember({"tcg", "kvm"}));
    sub.add_option("--memory", state->memory, "guest memory (QEMU -m)");
    state->codegen.add(sub, false);
    return [state, &global] {
        auto start = std::chrono::steady_clock::now();
        int code = kExitOk;
        auto program = compile_input(state->file, global, code);
        if (!program) return code;
        codegen::RunCommand command;
        parse_platform(state->platform, command.build.platform);
        command.build.lib_dir = codegen::halite_lib_dir();
        command.build.emit = state->codegen.emit();
        command.build.front_end_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        command.taps = state->taps;
        command.accel = state->accel;
        command.memory = state->memory;
        return codegen::run_run_command(*program, command, std::cerr);
    };
}

} // namespace naclc
