// The AF_XDP NIC against the kernel (root): veths in a private network namespace. The kernel runs the XDP
// program on a test frame (BPF_PROG_TEST_RUN) as if it had arrived on a given queue: with the NIC open on a
// two-queue veth, frames of both queues must go to a socket; with no socket in the map, a frame must be
// dropped.
#include "platform/linux/xdp_nic.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <linux/bpf.h>
#include <memory>
#include <net/if.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

namespace os::linux_nic {
namespace {

// Every test works in one private network namespace, made on first use: interfaces made there, and the
// namespace itself, go with the process. IPv6 is off for the interfaces made there: a veth coming up would
// otherwise send neighbour discovery and MLD frames of its own to its peer, which the NIC under test would
// receive beside the test's frames (1 run in 20 did).
bool in_private_namespace() {
    static const bool made = [] {
        if (unshare(CLONE_NEWNET) != 0) return false;
        for (const char* path :
             {"/proc/sys/net/ipv6/conf/all/disable_ipv6", "/proc/sys/net/ipv6/conf/default/disable_ipv6"}) {
            std::ofstream knob(path);
            if (knob) knob << "1\n"; // no such file: no IPv6 in this kernel, nothing to turn off
        }
        return true;
    }();
    return made;
}

// The program's verdict on a 64-byte frame (filled with `mark`) received on `queue` of `ifindex`, or -errno.
// Live: the kernel also carries the verdict out (a redirect really delivers the frame to the socket) and
// reports no verdict.
int verdict(int program_fd, unsigned ifindex, unsigned queue, bool live = false, std::uint8_t mark = 0) {
    std::array<std::uint8_t, 64> frame{};
    frame.fill(mark);
    xdp_md context{};
    context.data_end = frame.size();
    context.ingress_ifindex = ifindex;
    context.rx_queue_index = queue;
    bpf_attr attr{};
    attr.test.prog_fd = static_cast<std::uint32_t>(program_fd);
    attr.test.data_in = reinterpret_cast<std::uintptr_t>(frame.data());
    attr.test.data_size_in = frame.size();
    attr.test.ctx_in = reinterpret_cast<std::uintptr_t>(&context);
    attr.test.ctx_size_in = sizeof context;
    attr.test.repeat = 1;
    if (live) attr.test.flags = BPF_F_TEST_XDP_LIVE_FRAMES;
    if (syscall(__NR_bpf, BPF_PROG_TEST_RUN, &attr, sizeof attr) != 0) return -errno;
    return static_cast<int>(attr.test.retval);
}

TEST(XdpNic, RedirectsEveryQueueToItsOwnSocket) {
    ASSERT_TRUE(in_private_namespace()) << std::strerror(errno);
    ASSERT_EQ(std::system("ip link add xq0 numtxqueues 2 numrxqueues 2 type veth peer name xq1 numtxqueues 2 "
                          "numrxqueues 2 && ip link set xq0 up && ip link set xq1 up"),
              0);
    auto opened = XdpNic::open("xq0");
    ASSERT_TRUE(opened);
    const std::unique_ptr<XdpNic> nic(*opened);
    const unsigned ifindex = if_nametoindex("xq0");
    ASSERT_EQ(nic->queues(), 2u);
    EXPECT_EQ(verdict(nic->xdp_program_fd(), ifindex, 0), XDP_REDIRECT);
    EXPECT_EQ(verdict(nic->xdp_program_fd(), ifindex, 1), XDP_REDIRECT);

    // Delivered for real: a frame arriving on each queue comes out of the NIC's receive().
    PacketPool pool(64);
    ASSERT_TRUE(nic->start(pool));
    EXPECT_FALSE(nic->rx_pending());
    // (Live runs do not report the program's verdict: what arrives is the check.)
    ASSERT_GE(verdict(nic->xdp_program_fd(), ifindex, 1, true, 0xa1), 0);
    ASSERT_GE(verdict(nic->xdp_program_fd(), ifindex, 0, true, 0xb2), 0);
    EXPECT_TRUE(nic->rx_pending());
    PacketBatch batch;
    EXPECT_EQ(nic->receive(batch), 2u);
    ASSERT_EQ(batch.size(), 2u);
    std::vector<std::uint8_t> marks;
    for (auto& p : batch) {
        EXPECT_EQ(p->size(), 64u);
        marks.push_back(std::to_integer<std::uint8_t>(p->data()[20]));
    }
    std::sort(marks.begin(), marks.end());
    EXPECT_EQ(marks, (std::vector<std::uint8_t>{0xa1, 0xb2}));
    EXPECT_EQ(nic->rx_stats().frames, 2u);
}

TEST(XdpRedirect, DropsTheFramesOfAQueueWithoutASocket) {
    ASSERT_TRUE(in_private_namespace()) << std::strerror(errno);
    ASSERT_EQ(
        std::system("ip link add xr0 type veth peer name xr1 && ip link set xr0 up && ip link set xr1 up"),
        0);
    const unsigned ifindex = if_nametoindex("xr0");
    auto redirect = XdpRedirect::attach(ifindex, 1);
    ASSERT_TRUE(redirect);
    // The map is empty: the frame must not be passed to Linux's stack, which could forward it around the
    // appliance.
    EXPECT_EQ(verdict(redirect->program_fd(), ifindex, 0), XDP_DROP);
}

TEST(XdpNic, RefusesAnInterfaceThatDoesNotExist) {
    EXPECT_FALSE(XdpNic::open("no-such-if0"));
}

} // namespace
} // namespace os::linux_nic
