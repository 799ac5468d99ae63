#include "xdp_nic.hpp"

#include <halite/os/console.hpp>
#include <halite/os/linux.hpp>
#include <halite/os/timers.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <memory>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
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

// UMEM: 2 KiB frames (the smallest the kernel takes), 2,048 for receiving and 1,024 for sending (6 MiB).
// The receive side holds as many frames as an AF_PACKET ring of the same memory; each ring is as large as
// the frames that can be in it, so none overflows.
constexpr std::uint32_t frame_size = 2048;
constexpr std::uint32_t rx_frames = 2048;
constexpr std::uint32_t tx_frames = 1024;
// A send() makes the kernel send at most 32 frames (its per-call budget in copy mode): a batch takes a few.
constexpr int max_kicks_per_send = 16;

Error failure(const std::string& interface, const char* what) {
    os::printf("halite: --nic xdp:%s: %s: %s\n", interface.c_str(), what, std::strerror(errno));
    return Error{Errc::io_error, what};
}

// Receive queues the interface has in use (/sys/class/net/IF/queues/rx-N); 1 when that cannot be read.
unsigned rx_queue_count(const std::string& interface) {
    const std::string path = "/sys/class/net/" + interface + "/queues";
    DIR* dir = opendir(path.c_str());
    if (dir == nullptr) return 1;
    unsigned count = 0;
    while (const dirent* entry = readdir(dir))
        count += std::strncmp(entry->d_name, "rx-", 3) == 0;
    closedir(dir);
    return count == 0 ? 1 : count;
}

// Interface ioctls go through an ordinary socket: an AF_XDP socket answers none.
int interface_ioctl(const std::string& interface, unsigned long request, ifreq& r) {
    std::snprintf(r.ifr_name, sizeof r.ifr_name, "%s", interface.c_str());
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    const int result = ioctl(fd, request, &r);
    close(fd);
    return result;
}

} // namespace

Result<XdpNic*> XdpNic::open(const std::string& interface) {
    std::unique_ptr<XdpNic> nic(new XdpNic());
    nic->interface_ = interface;
    std::snprintf(nic->name_.data(), nic->name_.size(), "xdp:%s", interface.c_str());
    const unsigned ifindex = if_nametoindex(interface.c_str());
    if (ifindex == 0) return failure(interface, "no such interface");
    const unsigned queues = rx_queue_count(interface);
    if (queues > 1)
        os::printf(
            "halite: --nic xdp:%s: the interface has %u receive queues and only queue 0 is served: frames "
            "on the others are dropped (`ethtool -L %s combined 1` steers all to queue 0)\n",
            interface.c_str(), queues, interface.c_str());

    nic->fd_ = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (nic->fd_ < 0) return failure(interface, "socket(AF_XDP)");
    const int fd = nic->fd_;
    nic->umem_bytes_ = std::size_t{frame_size} * (rx_frames + tx_frames);
    nic->umem_ = mmap(nullptr, nic->umem_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (nic->umem_ == MAP_FAILED) {
        nic->umem_ = nullptr;
        return failure(interface, "mmap of the UMEM");
    }
    xdp_umem_reg umem{};
    umem.addr = reinterpret_cast<std::uintptr_t>(nic->umem_);
    umem.len = nic->umem_bytes_;
    umem.chunk_size = frame_size;
    if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &umem, sizeof umem) != 0)
        return failure(interface, "XDP_UMEM_REG");
    const std::uint32_t rx_size = rx_frames, tx_size = tx_frames;
    if (setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &rx_size, sizeof rx_size) != 0 ||
        setsockopt(fd, SOL_XDP, XDP_RX_RING, &rx_size, sizeof rx_size) != 0 ||
        setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &tx_size, sizeof tx_size) != 0 ||
        setsockopt(fd, SOL_XDP, XDP_TX_RING, &tx_size, sizeof tx_size) != 0)
        return failure(interface, "ring sizes");
    xdp_mmap_offsets offsets{};
    socklen_t length = sizeof offsets;
    if (getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, &offsets, &length) != 0)
        return failure(interface, "XDP_MMAP_OFFSETS");

    struct Mapping {
        const xdp_ring_offset& offset;
        std::uint32_t entries;
        std::size_t entry_size;
        off_t page_offset;
    };
    const Mapping mappings[4] = {
        {offsets.rx, rx_size, sizeof(xdp_desc), static_cast<off_t>(XDP_PGOFF_RX_RING)},
        {offsets.tx, tx_size, sizeof(xdp_desc), static_cast<off_t>(XDP_PGOFF_TX_RING)},
        {offsets.fr, rx_size, sizeof(std::uint64_t), static_cast<off_t>(XDP_UMEM_PGOFF_FILL_RING)},
        {offsets.cr, tx_size, sizeof(std::uint64_t), static_cast<off_t>(XDP_UMEM_PGOFF_COMPLETION_RING)},
    };
    XskRingMemory rings[4];
    for (int i = 0; i < 4; ++i) {
        const Mapping& m = mappings[i];
        const std::size_t bytes = m.offset.desc + m.entries * m.entry_size;
        void* memory =
            mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, m.page_offset);
        if (memory == MAP_FAILED) return failure(interface, "mmap of a ring");
        nic->rings_[i] = {memory, bytes};
        auto* base = static_cast<std::byte*>(memory);
        rings[i] = {reinterpret_cast<std::uint32_t*>(base + m.offset.producer),
                    reinterpret_cast<std::uint32_t*>(base + m.offset.consumer), base + m.offset.desc,
                    m.entries};
    }
    const std::span<std::byte> frames{static_cast<std::byte*>(nic->umem_), nic->umem_bytes_};
    nic->rx_.emplace(rings[0], rings[2], frames, frame_size);
    nic->tx_.emplace(rings[1], rings[3], frames, frame_size, rx_frames, tx_frames);
    nic->rx_->give_frames(0, rx_frames);

    sockaddr_xdp address{};
    address.sxdp_family = AF_XDP;
    address.sxdp_flags = XDP_COPY;
    address.sxdp_ifindex = ifindex;
    address.sxdp_queue_id = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        return failure(interface, "bind (another AF_XDP socket on queue 0?)");
    auto redirect = XdpRedirect::attach(ifindex, queues);
    if (!redirect) return redirect.error();
    nic->redirect_.emplace(std::move(redirect.value()));
    OS_TRY(nic->redirect_->redirect(0, fd));
    if (!nic->redirect_->native())
        os::printf("halite: --nic xdp:%s: no native XDP in the driver, using generic XDP\n",
                   interface.c_str());

    ifreq request{};
    if (interface_ioctl(interface, SIOCGIFHWADDR, request) != 0) return failure(interface, "SIOCGIFHWADDR");
    for (int i = 0; i < 6; ++i)
        nic->mac_.octets[i] = static_cast<std::uint8_t>(request.ifr_hwaddr.sa_data[i]);
    if (interface_ioctl(interface, SIOCGIFMTU, request) == 0 && request.ifr_mtu >= 68 &&
        request.ifr_mtu <= 65535)
        nic->mtu_ = static_cast<std::uint16_t>(request.ifr_mtu);
    nic->refresh_link();
    return nic.release();
}

XdpNic::~XdpNic() {
    if (fd_ >= 0 && pool_ != nullptr) linux_process::unwatch_fd(fd_);
    redirect_.reset(); // detach the program before the socket goes
    rx_.reset();
    tx_.reset();
    for (const auto& [memory, bytes] : rings_) {
        if (memory != nullptr) munmap(memory, bytes);
    }
    if (fd_ >= 0) close(fd_);
    if (umem_ != nullptr) munmap(umem_, umem_bytes_);
}

void XdpNic::refresh_link() {
    ifreq request{};
    if (interface_ioctl(interface_, SIOCGIFFLAGS, request) == 0)
        link_up_ = (request.ifr_flags & IFF_UP) != 0 && (request.ifr_flags & IFF_RUNNING) != 0;
}

Result<void> XdpNic::start(PacketPool& pool) {
    if (pool_ != nullptr) return Error{Errc::busy, "already started"};
    const std::size_t room = pool.buffer_size() - pool.headroom();
    if (room < std::size_t{mtu_} + 18) mtu_ = static_cast<std::uint16_t>(room - 18);
    if (tx_->max_frame() < std::size_t{mtu_} + 18) mtu_ = static_cast<std::uint16_t>(tx_->max_frame() - 18);
    pool_ = &pool;
    // The kernel wakes the socket's waiters when a NAPI poll has redirected frames to it.
    OS_TRY(linux_process::watch_fd(fd_, EPOLLIN, [](std::uint32_t) {}));
    // Frames the kernel left on the transmit ring (it had no room) go with the next send(), or here when
    // none comes.
    timers::periodic(std::chrono::seconds(1), [this] {
        refresh_link();
        if (tx_->unsent() != 0) kick();
        report_kernel_drops();
    });
    return {};
}

// Frames the kernel dropped because our receive ring was full are counted by the kernel only: say so on the
// console, at most once a second, with how many more since the last time.
void XdpNic::report_kernel_drops() {
    xdp_statistics now{};
    socklen_t length = sizeof now;
    if (getsockopt(fd_, SOL_XDP, XDP_STATISTICS, &now, &length) != 0) return;
    const std::uint64_t dropped = now.rx_dropped - reported_.rx_dropped;
    const std::uint64_t full = now.rx_ring_full - reported_.rx_ring_full;
    const std::uint64_t no_frame = now.rx_fill_ring_empty_descs - reported_.rx_fill_ring_empty_descs;
    if (dropped + full + no_frame != 0)
        os::printf(
            "halite: %s: %llu more received frames dropped by the kernel (receive ring full: %llu, fill ring "
            "empty: %llu)\n",
            name_.data(), static_cast<unsigned long long>(dropped + full),
            static_cast<unsigned long long>(full), static_cast<unsigned long long>(no_frame));
    reported_ = now;
}

std::size_t XdpNic::receive(PacketBatch& batch) {
    if (pool_ == nullptr) return 0;
    return rx_->receive(batch, *pool_);
}

// In copy mode the kernel sends only inside a send() on the socket, a bounded number of frames per call.
void XdpNic::kick() {
    for (int i = 0; i < max_kicks_per_send && tx_->unsent() != 0; ++i) {
        ++stats_.sends;
        if (::send(fd_, nullptr, 0, MSG_DONTWAIT) < 0 && errno != EAGAIN && errno != EBUSY &&
            errno != ENOBUFS)
            break;
    }
}

std::size_t XdpNic::send(PacketBatch& batch) {
    std::size_t taken = 0;
    for (; taken < batch.size(); ++taken) {
        PacketBuffer& p = *batch[taken];
        if (p.size() > tx_->max_frame()) {
            ++stats_.tx_dropped;
            continue;
        }
        if (!tx_->push(p.data())) break; // every transmit frame in flight: the rest stay in the batch
        ++stats_.tx_packets;
    }
    batch.remove_front(taken); // copied into the UMEM: the buffers go back to the pool
    tx_->publish();
    if (tx_->unsent() != 0) kick();
    return taken;
}

} // namespace os::linux_nic
