// The XDP side of an AF_XDP NIC: an XSKMAP, a five-instruction XDP program that redirects every frame of an
// interface's receive queue to the AF_XDP socket in the map at that queue's index, and the BPF link that
// attaches it. Frames of a queue without a socket are dropped, not passed to the kernel's stack: the
// interface belongs to the appliance, and a firewall's traffic must not find a way around it (Linux could
// forward them). Closing the link's file descriptor (also when the process dies) detaches the program, so
// nothing is left on the interface.
#pragma once

#include <halite/os/result.hpp>

namespace os::linux_nic {

class XdpRedirect {
public:
    // Loads the program and attaches it to `ifindex` in the driver (native XDP; veth has it), or where the
    // driver has none in the generic mode. `native` reports which.
    static Result<XdpRedirect> attach(unsigned ifindex, unsigned queues);
    XdpRedirect(XdpRedirect&& other) noexcept;
    XdpRedirect& operator=(XdpRedirect&&) = delete;
    ~XdpRedirect();

    // Sends queue `queue`'s frames to the AF_XDP socket `socket_fd`.
    Result<void> redirect(unsigned queue, int socket_fd);
    bool native() const { return native_; }
    int program_fd() const { return program_fd_; } // for tests: BPF_PROG_TEST_RUN

private:
    XdpRedirect() = default;
    int map_fd_ = -1;
    int program_fd_ = -1;
    int link_fd_ = -1;
    bool native_ = false;
};

} // namespace os::linux_nic
