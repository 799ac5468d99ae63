// The AF_XDP NIC against the kernel (root): in a private network namespace (it goes with the process), a veth
// with two receive queues. The kernel runs the NIC's XDP program on a test frame (BPF_PROG_TEST_RUN) as if
// it had arrived on each queue: frames of queue 0 must go to the NIC's socket, and frames of queue 1, which
// has no socket, must be dropped, never passed to Linux's stack, which could forward them around the
// appliance.
#include "platform/linux/xdp_nic.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <linux/bpf.h>
#include <memory>
#include <net/if.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace os::linux_nic {
namespace {

// The program's verdict on a 64-byte frame received on `queue` of `ifindex`, or -errno.
int verdict(int program_fd, unsigned ifindex, unsigned queue) {
    std::array<std::uint8_t, 64> frame{}; // the program does not read the frame
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
    if (syscall(__NR_bpf, BPF_PROG_TEST_RUN, &attr, sizeof attr) != 0) return -errno;
    return static_cast<int>(attr.test.retval);
}

TEST(XdpNic, RedirectsQueueZeroToItsSocketAndDropsTheOtherQueues) {
    ASSERT_EQ(unshare(CLONE_NEWNET), 0) << std::strerror(errno);
    ASSERT_EQ(std::system("ip link add xq0 numtxqueues 2 numrxqueues 2 type veth peer name xq1 numtxqueues 2 "
                          "numrxqueues 2 && ip link set xq0 up && ip link set xq1 up"),
              0);
    auto opened = XdpNic::open("xq0");
    ASSERT_TRUE(opened);
    const std::unique_ptr<XdpNic> nic(*opened);
    const unsigned ifindex = if_nametoindex("xq0");
    EXPECT_EQ(verdict(nic->xdp_program_fd(), ifindex, 0), XDP_REDIRECT);
    EXPECT_EQ(verdict(nic->xdp_program_fd(), ifindex, 1), XDP_DROP);
}

TEST(XdpNic, RefusesAnInterfaceThatDoesNotExist) {
    EXPECT_FALSE(XdpNic::open("no-such-if0"));
}

} // namespace
} // namespace os::linux_nic
