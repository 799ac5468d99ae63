#include "xdp_redirect.hpp"

#include <halite/os/console.hpp>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <utility>

namespace os::linux_nic {

namespace {

long bpf(int command, bpf_attr& attr) {
    return syscall(__NR_bpf, command, &attr, sizeof attr);
}

Error failure(const char* what) {
    os::printf("halite: xdp program: %s: %s\n", what, std::strerror(errno));
    return Error{Errc::io_error, what};
}

// One eBPF instruction (struct bpf_insn, whose register fields are bit-fields, built by hand).
bpf_insn instruction(std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int16_t offset,
                     std::int32_t immediate) {
    bpf_insn i{};
    i.code = code;
    i.dst_reg = dst & 0xf;
    i.src_reg = src & 0xf;
    i.off = offset;
    i.imm = immediate;
    return i;
}

// return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_DROP);
// (The low bits of the flags are the action when the map has no socket at that index.)
std::array<bpf_insn, 6> redirect_program(int map_fd) {
    constexpr std::int16_t rx_queue_index = offsetof(xdp_md, rx_queue_index);
    return {
        instruction(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, rx_queue_index, 0),
        instruction(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, map_fd), // 64-bit immediate:
        instruction(0, 0, 0, 0, 0),                                                      // two slots
        instruction(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, XDP_DROP),
        instruction(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_redirect_map),
        instruction(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
    };
}

std::uint64_t pointer(const void* p) {
    return reinterpret_cast<std::uintptr_t>(p);
}

} // namespace

Result<XdpRedirect> XdpRedirect::attach(unsigned ifindex, unsigned queues) {
    XdpRedirect x;
    bpf_attr attr{};
    attr.map_type = BPF_MAP_TYPE_XSKMAP;
    attr.key_size = 4;
    attr.value_size = 4;
    attr.max_entries = queues;
    x.map_fd_ = static_cast<int>(bpf(BPF_MAP_CREATE, attr));
    if (x.map_fd_ < 0) return failure("BPF_MAP_CREATE (XSKMAP)");

    const auto program = redirect_program(x.map_fd_);
    // The program has no loops and no packet access; the license matters only for GPL-only helpers, and
    // bpf_redirect_map is not one.
    static constexpr char license[] = "Apache-2.0";
    std::array<char, 4096> log{};
    attr = {};
    attr.prog_type = BPF_PROG_TYPE_XDP;
    attr.expected_attach_type = BPF_XDP;
    attr.insns = pointer(program.data());
    attr.insn_cnt = program.size();
    attr.license = pointer(license);
    attr.log_buf = pointer(log.data());
    attr.log_size = log.size();
    attr.log_level = 1;
    x.program_fd_ = static_cast<int>(bpf(BPF_PROG_LOAD, attr));
    if (x.program_fd_ < 0) {
        const int saved = errno;
        os::printf("halite: xdp: the verifier said: %s\n", log.data());
        errno = saved;
        return failure("BPF_PROG_LOAD");
    }

    // Native first; generic XDP (the same program after the kernel built a socket buffer) otherwise.
    for (const std::uint32_t mode : {XDP_FLAGS_DRV_MODE, XDP_FLAGS_SKB_MODE}) {
        attr = {};
        attr.link_create.prog_fd = static_cast<std::uint32_t>(x.program_fd_);
        attr.link_create.target_ifindex = ifindex;
        attr.link_create.attach_type = BPF_XDP;
        attr.link_create.flags = mode;
        x.link_fd_ = static_cast<int>(bpf(BPF_LINK_CREATE, attr));
        if (x.link_fd_ >= 0) {
            x.native_ = mode == XDP_FLAGS_DRV_MODE;
            return x;
        }
        if (errno == EBUSY || errno == EEXIST) break; // another program holds the interface
    }
    return failure("attaching the program (BPF_LINK_CREATE)");
}

XdpRedirect::XdpRedirect(XdpRedirect&& other) noexcept
    : map_fd_(std::exchange(other.map_fd_, -1)), program_fd_(std::exchange(other.program_fd_, -1)),
      link_fd_(std::exchange(other.link_fd_, -1)), native_(other.native_) {}

XdpRedirect::~XdpRedirect() {
    for (int fd : {link_fd_, program_fd_, map_fd_}) {
        if (fd >= 0) close(fd);
    }
}

Result<void> XdpRedirect::redirect(unsigned queue, int socket_fd) {
    const std::uint32_t key = queue;
    const std::uint32_t value = static_cast<std::uint32_t>(socket_fd);
    bpf_attr attr{};
    attr.map_fd = static_cast<std::uint32_t>(map_fd_);
    attr.key = pointer(&key);
    attr.value = pointer(&value);
    attr.flags = BPF_ANY;
    if (bpf(BPF_MAP_UPDATE_ELEM, attr) != 0) return failure("BPF_MAP_UPDATE_ELEM (the socket)");
    return {};
}

} // namespace os::linux_nic
