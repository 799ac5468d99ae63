#include "codegen/commands.hpp"
#include "codegen/toolchain.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

namespace codegen {
namespace {

TEST(Run, QemuCommandHasOneVirtioNicPerTap) {
    RunCommand run;
    run.taps = {"tap0", "tap1"};
    auto argv = qemu_command(run, "/tmp/a.elf");
    std::string line;
    for (auto& a : argv)
        line += a + " ";
    EXPECT_EQ(
        line,
        "qemu-system-x86_64 -M microvm -accel tcg -m 128M -nographic -no-reboot -device "
        "isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel /tmp/a.elf "
        "-netdev tap,id=nic0,ifname=tap0,script=no,downscript=no -device virtio-net-device,netdev=nic0 "
        "-netdev tap,id=nic1,ifname=tap1,script=no,downscript=no -device virtio-net-device,netdev=nic1 ");
    run.build.platform = Platform::Pc;
    run.accel = "kvm";
    argv = qemu_command(run, "/tmp/a.elf");
    EXPECT_EQ(argv[2], "pc");
    EXPECT_EQ(argv[4], "kvm");
    EXPECT_EQ(argv.back(), "virtio-net-pci,netdev=nic1");
}

TEST(Build, WarnsThatALoadBalancerIsIgnored) {
    nacl::ir::Program program;
    program.file = "lb.nacl";
    EXPECT_TRUE(build_warnings(program).empty());
    nacl::ir::LoadBalancer lb;
    lb.name = "web";
    lb.location = {3, 1};
    program.load_balancers.push_back(lb);
    auto warnings = build_warnings(program);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0].rfind("lb.nacl:3:1: Load_balancer web is ignored: ", 0), 0u) << warnings[0];
    EXPECT_NE(warnings[0].find("does not implement load balancers"), std::string::npos) << warnings[0];
}

TEST(Toolchain, FlagsFilesAndTools) {
    TempDir dir;
    ASSERT_TRUE(dir.ok());
    ASSERT_TRUE(write_file(dir.path() / "a.flags",
                           "# comment\nformat 1\ncxx /usr/bin/clang++\ninclude /a\ninclude /b\n"));
    std::string error;
    auto flags = read_flags_file(dir.path() / "a.flags", error);
    ASSERT_TRUE(flags) << error;
    EXPECT_EQ(flags->one("cxx"), "/usr/bin/clang++");
    EXPECT_EQ(flags->all("include"), (std::vector<std::string>{"/a", "/b"}));
    EXPECT_TRUE(flags->all("lib").empty());
    ASSERT_TRUE(write_file(dir.path() / "b.flags", "format 2\n"));
    EXPECT_FALSE(read_flags_file(dir.path() / "b.flags", error));
    EXPECT_NE(error.find("unknown format"), std::string::npos);
    EXPECT_FALSE(read_flags_file(dir.path() / "missing.flags", error));

    std::string log;
    EXPECT_EQ(run_tool({"sh", "-c", "echo out; echo err >&2; exit 3"}, "", "", log), 3);
    EXPECT_EQ(log, "out\nerr\n");
    EXPECT_EQ(
        run_tool({"sh", "-c", "cat"}, (dir.path() / "a.flags").string(), (dir.path() / "copy").string(), log),
        0);
    std::ifstream copy(dir.path() / "copy");
    std::string first;
    std::getline(copy, first);
    EXPECT_EQ(first, "# comment");
    EXPECT_EQ(run_tool({"/nonexistent/tool"}, "", "", log), 127);
}

TEST(Toolchain, ReplaceFileIsWholeOrNothing) {
    TempDir dir;
    ASSERT_TRUE(dir.ok());
    const auto output = dir.path() / "out.txt", temporary = dir.path() / "out.txt.naclc-partial";
    ASSERT_TRUE(write_file(output, "old"));
    // A writer that fails half-way leaves the old output and no temporary.
    EXPECT_FALSE(replace_file(output, [](const std::filesystem::path& t) {
        write_file(t, "half");
        return false;
    }));
    std::ifstream kept(output);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(kept), {}), "old");
    EXPECT_FALSE(std::filesystem::exists(temporary));
    EXPECT_TRUE(replace_file(output, [](const std::filesystem::path& t) { return write_file(t, "new"); }));
    std::ifstream replaced(output);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(replaced), {}), "new");
    EXPECT_FALSE(std::filesystem::exists(temporary));
}

TEST(Toolchain, RunToolReportsAChildItCannotWaitFor) {
    // With SIGCHLD ignored the kernel reaps children itself and waitpid() fails with ECHILD: run_tool must
    // say so instead of retrying forever.
    struct sigaction ignore {
    }, before{};
    ignore.sa_handler = SIG_IGN;
    ASSERT_EQ(sigaction(SIGCHLD, &ignore, &before), 0);
    std::string log;
    const int result = run_tool({"true"}, "", "", log);
    sigaction(SIGCHLD, &before, nullptr);
    EXPECT_EQ(result, -1);
    EXPECT_NE(log.find("cannot wait for true"), std::string::npos) << log;
}

} // namespace
} // namespace codegen
