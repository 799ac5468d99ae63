#include "xdp_nic.hpp"

#include "interface_info.hpp"
#include "tx_batch.hpp"

#include <halite/os/console.hpp>
#include <halite/os/linux.hpp>
#include <halite/os/timers.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace os::linux_nic {

namespace {

Error failure(const std::string& interface, const char* what) {
    os::printf("halite: --nic xdp:%s: %s: %s\n", interface.c_str(), what, std::strerror(errno));
    return Error{Errc::io_error, what};
}

} // namespace

Result<XdpNic*> XdpNic::open(const std::string& interface) {
    std::unique_ptr<XdpNic> nic(new XdpNic());
    nic->interface_ = interface;
    std::snprintf(nic->name_.data(), nic->name_.size(), "xdp:%s", interface.c_str());
    const unsigned ifindex = if_nametoindex(interface.c_str());
    if (ifindex == 0) return failure(interface, "no such interface");
    const unsigned queues = interface_rx_queues(interface);
    for (unsigned q = 0; q < queues; ++q) {
        auto socket = XskSocket::open(interface, ifindex, q);
        if (!socket) return socket.error();
        nic->sockets_.push_back(std::move(socket.value()));
    }
    auto redirect = XdpRedirect::attach(ifindex, queues);
    if (!redirect) return redirect.error();
    nic->redirect_.emplace(std::move(redirect.value()));
    for (unsigned q = 0; q < queues; ++q)
        OS_TRY(nic->redirect_->redirect(q, nic->sockets_[q]->fd()));
    if (!nic->redirect_->native())
        os::printf("halite: --nic xdp:%s: no native XDP in the driver, using generic XDP\n",
                   interface.c_str());

    const auto mac = interface_mac(interface);
    if (!mac) return failure(interface, "SIOCGIFHWADDR");
    nic->mac_ = *mac;
    nic->mtu_ = interface_mtu(interface).value_or(nic->mtu_);
    nic->refresh_link();
    return nic.release();
}

XdpNic::~XdpNic() {
    if (timer_ != timers::Id::none) timers::stop(timer_);
    if (pool_ != nullptr) {
        for (const auto& s : sockets_)
            linux_process::unwatch_fd(s->fd());
    }
    redirect_.reset(); // detach the program before the sockets go
    sockets_.clear();
}

void XdpNic::refresh_link() {
    link_up_ = interface_running(interface_).value_or(link_up_);
}

Result<void> XdpNic::start(PacketPool& pool) {
    if (pool_ != nullptr) return Error{Errc::busy, "already started"};
    mtu_ = mtu_within(mtu_within(mtu_, pool.buffer_size() - pool.headroom()), sockets_[0]->tx().max_frame());
    pool_ = &pool;
    // The kernel wakes a socket's waiters when a NAPI poll has redirected frames to it.
    for (const auto& s : sockets_)
        OS_TRY(linux_process::watch_fd(s->fd(), EPOLLIN, [](std::uint32_t) {}));
    // Frames the kernel left on the transmit ring (it had no room) go with the next send(), or here when
    // none comes.
    timer_ = timers::periodic(std::chrono::seconds(1), [this] {
        refresh_link();
        kick();
        report_kernel_drops();
    });
    return {};
}

// Frames the kernel dropped because a receive ring was full are counted by the kernel only: say so on the
// console, at most once a second, with how many more since the last time.
void XdpNic::report_kernel_drops() {
    XskSocket::Drops all;
    for (const auto& s : sockets_) {
        if (const auto d = s->drops_since_last_call()) {
            all.ring_full += d->ring_full;
            all.fill_empty += d->fill_empty;
            all.total += d->total;
        }
    }
    if (all.total != 0)
        os::printf(
            "halite: %s: %llu more received frames dropped by the kernel (receive ring full: %llu, fill "
            "ring empty: %llu)\n",
            name_.data(), static_cast<unsigned long long>(all.total),
            static_cast<unsigned long long>(all.ring_full), static_cast<unsigned long long>(all.fill_empty));
}

bool XdpNic::rx_pending() const {
    for (const auto& s : sockets_) {
        if (s->rx().ready()) return true;
    }
    return false;
}

XskRxStats XdpNic::rx_stats() const {
    XskRxStats sum;
    for (const auto& s : sockets_) {
        sum.frames += s->rx().stats().frames;
        sum.dropped += s->rx().stats().dropped;
        sum.checksums_completed += s->rx().stats().checksums_completed;
    }
    return sum;
}

std::size_t XdpNic::receive(PacketBatch& batch) {
    if (pool_ == nullptr) return 0;
    std::size_t appended = 0;
    const std::size_t n = sockets_.size();
    for (std::size_t i = 0; i < n && !batch.full(); ++i)
        appended += sockets_[(next_queue_ + i) % n]->rx().receive(batch, *pool_);
    next_queue_ = (next_queue_ + 1) % n;
    return appended;
}

void XdpNic::kick() {
    stats_.sends += sockets_[0]->kick();
}

std::size_t XdpNic::send(PacketBatch& batch) {
    XskTxRing& tx = sockets_[0]->tx();
    // push() fails when every transmit frame is in flight.
    const TxPushed pushed = push_frames(batch, tx, stats_.tx_dropped);
    stats_.tx_packets += pushed.queued;
    tx.publish();
    kick();
    return pushed.taken;
}

} // namespace os::linux_nic
