#include "packet_nic.hpp"

#include "interface_info.hpp"
#include "tx_batch.hpp"

#include <halite/os/console.hpp>
#include <halite/os/linux.hpp>
#include <halite/os/timers.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

namespace os::linux_nic {

namespace {

// Receive: 16 blocks of 256 KiB (about 2,000 minimum-size frames each); the kernel retires a block that is
// not full after 1 ms, which bounds the latency at low rates. Transmit: 512 slots of 2 KiB.
constexpr unsigned rx_block_size = 256 * 1024;
constexpr unsigned rx_block_count = 16;
constexpr unsigned rx_block_timeout_ms = 1;
constexpr unsigned frame_size = 2048;
constexpr unsigned tx_frame_count = 512;
constexpr unsigned tx_block_size = 64 * 1024;

Error failure(const char* what) {
    os::printf("halite: packet socket: %s: %s\n", what, std::strerror(errno));
    return Error{Errc::io_error, what};
}

} // namespace

Result<PacketNic*> PacketNic::open(const std::string& interface, unsigned index) {
    std::unique_ptr<PacketNic> nic(new PacketNic());
    nic->interface_ = interface;
    std::snprintf(nic->name_.data(), nic->name_.size(), "packet:%s", interface.c_str());
    (void)index;
    const unsigned ifindex = if_nametoindex(interface.c_str());
    if (ifindex == 0) return failure("no such interface");
    // Two sockets. The receive one is watched by the event loop's epoll; the transmit one is not, so the
    // kernel's per-frame "write space" wake-up after a send finds no waiter (with one socket it took the
    // epoll wait-queue lock for every frame sent).
    nic->fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
    nic->tx_fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (nic->fd_ < 0 || nic->tx_fd_ < 0) return failure("socket(AF_PACKET)");
    const int fd = nic->fd_;
    const int tx_fd = nic->tx_fd_;
    int version = TPACKET_V3;
    if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof version) != 0 ||
        setsockopt(tx_fd, SOL_PACKET, PACKET_VERSION, &version, sizeof version) != 0)
        return failure("TPACKET_V3");
    tpacket_req3 rx{};
    rx.tp_block_size = rx_block_size;
    rx.tp_block_nr = rx_block_count;
    rx.tp_frame_size = frame_size;
    rx.tp_frame_nr = rx_block_size / frame_size * rx_block_count;
    rx.tp_retire_blk_tov = rx_block_timeout_ms;
    if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &rx, sizeof rx) != 0) return failure("PACKET_RX_RING");
    int one = 1;
    // Frames this host sends on the interface would come back on the receive ring otherwise.
    if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) != 0)
        return failure("PACKET_IGNORE_OUTGOING");
    // A virtio-net header in front of each transmitted frame: see TpacketTxRing.
    if (setsockopt(tx_fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof one) != 0)
        return failure("PACKET_VNET_HDR");
    tpacket_req3 tx{};
    tx.tp_block_size = tx_block_size;
    tx.tp_block_nr = tx_frame_count * frame_size / tx_block_size;
    tx.tp_frame_size = frame_size;
    tx.tp_frame_nr = tx_frame_count;
    if (setsockopt(tx_fd, SOL_PACKET, PACKET_TX_RING, &tx, sizeof tx) != 0) return failure("PACKET_TX_RING");
    // Straight to the driver: the stack batches, and a qdisc would only add a queue and a lock.
    if (setsockopt(tx_fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one) != 0)
        return failure("PACKET_QDISC_BYPASS");

    const std::size_t rx_bytes = std::size_t{rx_block_size} * rx_block_count;
    void* ring = mmap(nullptr, rx_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, fd, 0);
    if (ring == MAP_FAILED) ring = mmap(nullptr, rx_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (ring == MAP_FAILED) return failure("mmap of the receive ring");
    nic->rx_ring_ = {ring, rx_bytes};
    nic->rx_.emplace(static_cast<std::byte*>(ring), rx_block_size, rx_block_count);
    const std::size_t tx_bytes = std::size_t{tx_block_size} * tx.tp_block_nr;
    ring = mmap(nullptr, tx_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, tx_fd, 0);
    if (ring == MAP_FAILED) return failure("mmap of the transmit ring");
    nic->tx_ring_ = {ring, tx_bytes};
    nic->tx_.emplace(static_cast<std::byte*>(ring), frame_size, tx_frame_count, true);

    sockaddr_ll address{};
    address.sll_family = AF_PACKET;
    address.sll_protocol = htons(ETH_P_ALL);
    address.sll_ifindex = static_cast<int>(ifindex);
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return failure("bind");
    address.sll_protocol = 0; // the transmit socket receives nothing
    if (bind(tx_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return failure("bind");

    const auto mac = interface_mac(interface);
    if (!mac) return failure("SIOCGIFHWADDR");
    nic->mac_ = *mac;
    nic->mtu_ = interface_mtu(interface).value_or(nic->mtu_);
    nic->refresh_link();
    return nic.release();
}

PacketNic::~PacketNic() {
    if (timer_ != timers::Id::none) timers::stop(timer_);
    if (fd_ >= 0 && pool_ != nullptr) linux_process::unwatch_fd(fd_);
    for (const auto& [memory, bytes] : {rx_ring_, tx_ring_}) {
        if (memory != nullptr) munmap(memory, bytes);
    }
    for (int fd : {fd_, tx_fd_}) {
        if (fd >= 0) close(fd);
    }
}

void PacketNic::refresh_link() {
    link_up_ = interface_running(interface_).value_or(link_up_);
}

Result<void> PacketNic::start(PacketPool& pool) {
    if (pool_ != nullptr) return Error{Errc::busy, "already started"};
    mtu_ = mtu_within(mtu_within(mtu_, pool.buffer_size() - pool.headroom()), tx_->max_frame());
    pool_ = &pool;
    // The loop sleeps in epoll: a retired receive block makes the socket readable and wakes it; the poller
    // then reads the ring. Link changes are rare: a timer re-reads the flags (an ioctl per poll would not
    // be).
    OS_TRY(linux_process::watch_fd(fd_, EPOLLIN, [](std::uint32_t) {}));
    timer_ = timers::periodic(std::chrono::seconds(1), [this] {
        refresh_link();
        report_kernel_drops();
    });
    return {};
}

// Frames the kernel dropped because our receive ring was full are counted by the kernel only: say so on the
// console, at most once a second, with how many more since the last time (reading them resets them).
void PacketNic::report_kernel_drops() {
    tpacket_stats_v3 stats{};
    socklen_t length = sizeof stats;
    if (getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &stats, &length) != 0 || stats.tp_drops == 0) return;
    os::printf("halite: %s: %u more received frames dropped by the kernel (receive ring full)\n",
               name_.data(), stats.tp_drops);
}

std::size_t PacketNic::receive(PacketBatch& batch) {
    if (pool_ == nullptr) return 0;
    return rx_->receive(batch, *pool_);
}

std::size_t PacketNic::send(PacketBatch& batch) {
    const TxPushed pushed = push_frames(batch, *tx_, stats_.tx_dropped);
    stats_.tx_packets += pushed.queued;
    if (pushed.queued != 0) {
        ++stats_.sends;
        // One system call sends every slot marked SEND_REQUEST. (A transmit ring measured faster here than
        // sendmmsg() of the same batch, although the kernel hands ring frames to a veth as page fragments
        // that it then copies: see bench/results/net.md.)
        if (::send(tx_fd_, nullptr, 0, MSG_DONTWAIT) < 0 && errno != EAGAIN && errno != ENOBUFS)
            ++stats_.tx_dropped;
    }
    return pushed.taken;
}

} // namespace os::linux_nic
