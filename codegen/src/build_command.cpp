// naclc build / run: generate, compile with the flags files, link, and only then put the result in place.
#include "codegen/commands.hpp"
#include "codegen/toolchain.hpp"

#include <chrono>
#include <cstdio>
#include <ostream>

namespace codegen {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string format_seconds(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f s", s);
    return buf;
}

std::string_view platform_name(Platform p) {
    return p == Platform::Linux ? "linux" : p == Platform::Pc ? "pc" : "microvm";
}

struct Stages {
    std::ostream& progress;
    int total;
    int done = 0;

    void report(const std::string& what, double seconds) {
        progress << "[" << ++done << "/" << total << "] " << what << " (" << format_seconds(seconds) << ")\n";
        progress.flush();
    }
};

int fail(std::ostream& progress, const std::string& message) {
    progress << "naclc: error: " << message << "\n";
    return 1;
}

// The last lines of a tool's output, enough to see what went wrong without flooding the terminal.
std::string tail(const std::string& log, size_t lines = 40) {
    size_t pos = log.size(), count = 0;
    while (pos > 0 && count <= lines) {
        pos = log.rfind('\n', pos - 1);
        if (pos == std::string::npos) {
            pos = 0;
            break;
        }
        ++count;
    }
    return pos == 0 ? log : "...\n" + log.substr(pos + 1);
}

// Compiles and links `source` for an image; returns the stripped ELF's path.
std::optional<std::filesystem::path> build_image(const std::filesystem::path& lib_dir,
                                                 const std::filesystem::path& work,
                                                 const std::filesystem::path& source, Stages& stages,
                                                 std::string& error) {
    auto flags = read_flags_file(lib_dir / "image.flags", error);
    if (!flags) return std::nullopt;
    auto start = Clock::now();
    std::vector<std::string> compile{flags->one("cxx"), "@" + flags->one("compile_rsp")};
    for (auto& i : flags->all("include"))
        compile.push_back("-I" + i);
    auto object = work / "appliance.o";
    compile.insert(compile.end(), {"-c", source.string(), "-o", object.string()});
    std::string log;
    if (run_tool(compile, "", "", log) != 0) {
        error = "compiling the generated C++ failed:\n" + tail(log);
        return std::nullopt;
    }
    stages.report("compile (clang++ -O2, image flags)", seconds_since(start));
    start = Clock::now();
    auto elf = work / "appliance.elf";
    std::vector<std::string> link{flags->one("link_driver"), elf.string(), object.string()};
    for (auto& lib : flags->all("lib"))
        if (lib.size() > 8 && lib.ends_with("_image.a")) link.push_back(lib);
    if (run_tool(link, "", "", log) != 0) {
        error = "linking the image failed:\n" + tail(log);
        return std::nullopt;
    }
    stages.report("link (" + flags->one("link_driver") + ")", seconds_since(start));
    return work / "appliance.stripped.elf";
}

std::optional<std::filesystem::path> build_linux(const std::filesystem::path& lib_dir,
                                                 const std::filesystem::path& work,
                                                 const std::filesystem::path& source, Stages& stages,
                                                 std::string& error) {
    auto flags = read_flags_file(lib_dir / "linux.flags", error);
    if (!flags) return std::nullopt;
    auto start = Clock::now();
    std::vector<std::string> argv{flags->one("cxx")};
    for (auto& f : flags->all("cxxflag"))
        argv.push_back(f);
    argv.push_back("-O2");
    for (auto& d : flags->all("define"))
        argv.push_back("-D" + d);
    for (auto& i : flags->all("include"))
        argv.push_back("-I" + i);
    argv.push_back(source.string());
    for (auto& lib : flags->all("lib"))
        argv.push_back(lib);
    for (auto& f : flags->all("ldflag"))
        argv.push_back(f);
    auto exe = work / "appliance";
    argv.insert(argv.end(), {"-o", exe.string()});
    std::string log;
    if (run_tool(argv, "", "", log) != 0) {
        error = "compiling and linking the Linux executable failed:\n" + tail(log);
        return std::nullopt;
    }
    stages.report("compile and link (clang++ -O2, linux flags)", seconds_since(start));
    return exe;
}

} // namespace

std::vector<std::string> build_warnings(const nacl::ir::Program& program) {
    std::vector<std::string> warnings;
    for (auto& lb : program.load_balancers)
        warnings.push_back(program.file + ":" + std::to_string(lb.location.line) + ":" +
                           std::to_string(lb.location.column) + ": Load_balancer " + lb.name +
                           " is ignored: the appliance runtime does not implement load balancers yet, so the "
                           "image will not accept or balance its clients' connections");
    return warnings;
}

int run_build_command(const nacl::ir::Program& program, const BuildCommand& command, std::ostream& progress) {
    Stages stages{progress, command.platform == Platform::Linux ? 3 : 4};
    stages.report("front end: " + program.file, command.front_end_seconds);
    for (auto& w : build_warnings(program))
        progress << "naclc: warning: " << w << "\n";
    auto start = Clock::now();
    EmitResult emitted = emit_cpp(program, command.emit);
    TempDir work;
    if (!work.ok()) return fail(progress, "cannot create a temporary directory");
    auto source = work.path() / "appliance.cpp";
    if (!write_file(source, emitted.text)) return fail(progress, "cannot write " + source.string());
    stages.report("codegen: " + std::to_string(emitted.stats.rules) + " rules, " +
                      std::to_string(emitted.stats.table_rules) + " in " +
                      std::to_string(emitted.stats.tables) + " decision tables, " +
                      std::to_string(emitted.text.size() / 1024) + " KiB of C++",
                  seconds_since(start));
    std::string error;
    auto built = command.platform == Platform::Linux
                     ? build_linux(command.lib_dir, work.path(), source, stages, error)
                     : build_image(command.lib_dir, work.path(), source, stages, error);
    if (!built) return fail(progress, error);
    const bool written = replace_file(command.output, [&](const std::filesystem::path& temporary) {
        std::error_code ec;
        std::filesystem::copy_file(*built, temporary, std::filesystem::copy_options::overwrite_existing, ec);
        if (!ec) std::filesystem::permissions(temporary, std::filesystem::perms(0755), ec);
        return !ec;
    });
    if (!written) return fail(progress, "cannot write " + command.output.string());
    std::error_code ec;
    auto size = std::filesystem::file_size(command.output, ec);
    progress << "wrote " << command.output.string() << " (" << platform_name(command.platform) << ", "
             << (ec ? 0 : size) << " bytes)\n";
    return 0;
}

std::vector<std::string> qemu_command(const RunCommand& command, const std::filesystem::path& image) {
    bool microvm = command.build.platform == Platform::Microvm;
    std::vector<std::string> argv{command.qemu,
                                  "-M",
                                  microvm ? "microvm" : "pc",
                                  "-accel",
                                  command.accel,
                                  "-m",
                                  command.memory,
                                  "-nographic",
                                  "-no-reboot",
                                  "-device",
                                  "isa-debug-exit,iobase=0xf4,iosize=0x04",
                                  "-kernel",
                                  image.string()};
    for (size_t i = 0; i < command.taps.size(); ++i) {
        std::string id = "nic" + std::to_string(i);
        argv.insert(argv.end(),
                    {"-netdev", "tap,id=" + id + ",ifname=" + command.taps[i] + ",script=no,downscript=no",
                     "-device",
                     std::string(microvm ? "virtio-net-device" : "virtio-net-pci") + ",netdev=" + id});
    }
    return argv;
}

int run_run_command(const nacl::ir::Program& program, const RunCommand& command, std::ostream& progress) {
    if (command.build.platform == Platform::Linux)
        return fail(progress, "naclc run boots an image: use --platform microvm or pc");
    TempDir work;
    if (!work.ok()) return fail(progress, "cannot create a temporary directory");
    RunCommand run = command;
    run.build.output = work.path() / "appliance.elf";
    if (int status = run_build_command(program, run.build, progress); status != 0) return status;
    auto argv = qemu_command(run, run.build.output);
    std::string shown;
    for (auto& a : argv)
        shown += (shown.empty() ? "" : " ") + a;
    progress << "booting: " << shown << "\n";
    progress.flush();
    // The guest's console goes straight to our standard output.
    std::string log;
    int status = run_tool(argv, "", "/dev/stdout", log);
    if (status < 0) return fail(progress, "cannot run " + command.qemu + ": " + log);
    if (!log.empty()) progress << log;
    // isa-debug-exit reports (code << 1) | 1.
    return status;
}

} // namespace codegen
