#pragma once
// The work behind `naclc test`, `naclc build` and `naclc run` (the command line lives in
// nacl/src/naclc/codegen_commands.cpp). Each returns naclc's exit code: 0 ok, 1 failure, 2 usage.

#include "codegen/emit_cpp.hpp"
#include "nacl/ir.hpp"

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace codegen {

struct TestCommand {
    std::string cases_path;
    std::filesystem::path lib_dir;
    EmitOptions emit;
};

// Runs the compiled chains on every line of the case table; prints mismatches and `N passed, M failed`.
int run_test_command(const nacl::ir::Program& program, const TestCommand& command, std::ostream& out,
                     std::ostream& err);

enum class Platform { Microvm, Pc, Linux };

struct BuildCommand {
    std::filesystem::path output;
    Platform platform = Platform::Microvm;
    std::filesystem::path lib_dir;
    EmitOptions emit;
    double front_end_seconds = 0; // reported in the progress lines
};

// What the image will not do although the configuration asks for it (one line each, without the
// "naclc: warning: " prefix): a Load_balancer, which the appliance runtime does not implement yet.
std::vector<std::string> build_warnings(const nacl::ir::Program& program);

// Generates, compiles and links; writes `output` only when every stage succeeded. Prints the
// build_warnings first; they do not fail the build.
int run_build_command(const nacl::ir::Program& program, const BuildCommand& command, std::ostream& progress);

struct RunCommand {
    BuildCommand build;
    std::vector<std::string> taps;
    std::string accel = "tcg";
    std::string memory = "128M";
    std::string qemu = "qemu-system-x86_64";
};

// Builds a temporary image and boots it under QEMU (one virtio-net NIC per tap); returns QEMU's status.
int run_run_command(const nacl::ir::Program& program, const RunCommand& command, std::ostream& progress);

// The QEMU command line `naclc run` uses (tests check it).
std::vector<std::string> qemu_command(const RunCommand& command, const std::filesystem::path& image);

} // namespace codegen
