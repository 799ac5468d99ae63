#include "xsk_socket.hpp"

#include <halite/os/console.hpp>

#include <cerrno>
#include <cstring>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

namespace os::linux_nic {

namespace {

// The receive side holds as many frames as an AF_PACKET ring of the same memory would; each ring is as large
// as the frames that can be in it, so none overflows.
constexpr std::uint32_t frame_size = 2048; // the smallest the kernel takes
constexpr std::uint32_t rx_frames = 2048;
constexpr std::uint32_t tx_frames = 1024;
constexpr unsigned max_kicks = 16;

Error failure(const std::string& interface, unsigned queue, const char* what) {
    os::printf("halite: --nic xdp:%s: queue %u: %s: %s\n", interface.c_str(), queue, what,
               std::strerror(errno));
    return Error{Errc::io_error, what};
}

} // namespace

Result<std::unique_ptr<XskSocket>> XskSocket::open(const std::string& interface, unsigned ifindex,
                                                   unsigned queue) {
    std::unique_ptr<XskSocket> s(new XskSocket());
    s->fd_ = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (s->fd_ < 0) return failure(interface, queue, "socket(AF_XDP)");
    const int fd = s->fd_;
    s->umem_bytes_ = std::size_t{frame_size} * (rx_frames + tx_frames);
    s->umem_ = mmap(nullptr, s->umem_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (s->umem_ == MAP_FAILED) {
        s->umem_ = nullptr;
        return failure(interface, queue, "mmap of the UMEM");
    }
    xdp_umem_reg umem{};
    umem.addr = reinterpret_cast<std::uintptr_t>(s->umem_);
    umem.len = s->umem_bytes_;
    umem.chunk_size = frame_size;
    if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &umem, sizeof umem) != 0)
        return failure(interface, queue, "XDP_UMEM_REG");
    const std::uint32_t rx_size = rx_frames, tx_size = tx_frames;
    // The transmit ring belongs to a second socket on the same queue and UMEM (below), so that the event
    // loop's epoll, which watches this one, is not woken for every frame sent: in copy mode the kernel frees
    // each sent frame's socket buffer with a write-space wake-up of its socket's waiters (two locks and an
    // epoll callback per frame, about 6% of the router's CPU under testpmd).
    s->tx_fd_ = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (s->tx_fd_ < 0) return failure(interface, queue, "socket(AF_XDP) for sending");
    if (setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &rx_size, sizeof rx_size) != 0 ||
        setsockopt(fd, SOL_XDP, XDP_RX_RING, &rx_size, sizeof rx_size) != 0 ||
        setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &tx_size, sizeof tx_size) != 0 ||
        setsockopt(s->tx_fd_, SOL_XDP, XDP_TX_RING, &tx_size, sizeof tx_size) != 0)
        return failure(interface, queue, "ring sizes");
    xdp_mmap_offsets offsets{}, tx_offsets{};
    socklen_t length = sizeof offsets, tx_length = sizeof tx_offsets;
    if (getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, &offsets, &length) != 0 ||
        getsockopt(s->tx_fd_, SOL_XDP, XDP_MMAP_OFFSETS, &tx_offsets, &tx_length) != 0)
        return failure(interface, queue, "XDP_MMAP_OFFSETS");

    struct Mapping {
        int fd;
        const xdp_ring_offset& offset;
        std::uint32_t entries;
        std::size_t entry_size;
        off_t page_offset;
    };
    const Mapping mappings[4] = {
        {fd, offsets.rx, rx_size, sizeof(xdp_desc), static_cast<off_t>(XDP_PGOFF_RX_RING)},
        {s->tx_fd_, tx_offsets.tx, tx_size, sizeof(xdp_desc), static_cast<off_t>(XDP_PGOFF_TX_RING)},
        {fd, offsets.fr, rx_size, sizeof(std::uint64_t), static_cast<off_t>(XDP_UMEM_PGOFF_FILL_RING)},
        {fd, offsets.cr, tx_size, sizeof(std::uint64_t), static_cast<off_t>(XDP_UMEM_PGOFF_COMPLETION_RING)},
    };
    XskRingMemory rings[4];
    for (int i = 0; i < 4; ++i) {
        const Mapping& m = mappings[i];
        const std::size_t bytes = m.offset.desc + m.entries * m.entry_size;
        void* memory =
            mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, m.fd, m.page_offset);
        if (memory == MAP_FAILED) return failure(interface, queue, "mmap of a ring");
        s->rings_[i] = {memory, bytes};
        auto* base = static_cast<std::byte*>(memory);
        rings[i] = {reinterpret_cast<std::uint32_t*>(base + m.offset.producer),
                    reinterpret_cast<std::uint32_t*>(base + m.offset.consumer), base + m.offset.desc,
                    m.entries};
    }
    const std::span<std::byte> frames{static_cast<std::byte*>(s->umem_), s->umem_bytes_};
    s->rx_.emplace(rings[0], rings[2], frames, frame_size);
    s->tx_.emplace(rings[1], rings[3], frames, frame_size, rx_frames, tx_frames);
    s->rx_->give_frames(0, rx_frames);

    sockaddr_xdp address{};
    address.sxdp_family = AF_XDP;
    address.sxdp_flags = XDP_COPY;
    address.sxdp_ifindex = ifindex;
    address.sxdp_queue_id = queue;
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        return failure(interface, queue, "bind (another AF_XDP socket on this queue?)");
    // Sharing the first socket's queue shares its buffer pool: the frames, the fill and completion rings.
    address.sxdp_flags = XDP_SHARED_UMEM;
    address.sxdp_shared_umem_fd = static_cast<std::uint32_t>(fd);
    if (bind(s->tx_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        return failure(interface, queue, "bind of the sending socket");
    return s;
}

XskSocket::~XskSocket() {
    rx_.reset();
    tx_.reset();
    for (const auto& [memory, bytes] : rings_) {
        if (memory != nullptr) munmap(memory, bytes);
    }
    if (tx_fd_ >= 0) close(tx_fd_);
    if (fd_ >= 0) close(fd_);
    if (umem_ != nullptr) munmap(umem_, umem_bytes_);
}

unsigned XskSocket::kick() {
    unsigned calls = 0;
    while (calls < max_kicks && tx_->unsent() != 0) {
        ++calls;
        // EAGAIN: the per-call budget ran out, or the socket's send buffer is full for now; EBUSY, ENOBUFS:
        // the device is busy. Anything else (the link went away) will not pass by retrying now.
        if (::send(tx_fd_, nullptr, 0, MSG_DONTWAIT) < 0 && errno != EAGAIN && errno != EBUSY &&
            errno != ENOBUFS)
            break;
    }
    return calls;
}

std::optional<XskSocket::Drops> XskSocket::drops_since_last_call() {
    xdp_statistics now{};
    socklen_t length = sizeof now;
    if (getsockopt(fd_, SOL_XDP, XDP_STATISTICS, &now, &length) != 0) return std::nullopt;
    // rx_dropped includes the drops for want of a fill-ring frame; a full receive ring is counted apart.
    Drops d;
    d.ring_full = now.rx_ring_full - reported_.rx_ring_full;
    d.fill_empty = now.rx_fill_ring_empty_descs - reported_.rx_fill_ring_empty_descs;
    d.total = now.rx_dropped - reported_.rx_dropped + d.ring_full;
    reported_ = now;
    return d;
}

} // namespace os::linux_nic
