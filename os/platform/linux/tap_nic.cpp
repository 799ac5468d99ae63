#include "tap_nic.hpp"

#include "interface_info.hpp"

#include <halite/os/console.hpp>
#include <halite/os/linux.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace os::linux_nic {

Result<TapNic*> TapNic::open(const std::string& interface, MacAddress mac) {
    auto* nic = new TapNic();
    nic->mac_ = mac;
    std::snprintf(nic->name_.data(), nic->name_.size(), "tap:%s", interface.c_str());
    nic->fd_ = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    ifreq request{};
    std::snprintf(request.ifr_name, sizeof request.ifr_name, "%s", interface.c_str());
    // IFF_NO_PI: frames without the 4-byte packet information prefix.
    request.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (nic->fd_ < 0 || ioctl(nic->fd_, TUNSETIFF, &request) != 0) {
        os::printf("halite: tap %s: %s\n", interface.c_str(), std::strerror(errno));
        delete nic;
        return Error{Errc::io_error, "cannot attach to the tap device"};
    }
    // The tap interface's MTU bounds what its kernel side sends us.
    nic->mtu_ = interface_mtu(interface).value_or(nic->mtu_);
    return nic;
}

TapNic::~TapNic() {
    if (fd_ >= 0) {
        linux_process::unwatch_fd(fd_);
        close(fd_);
    }
}

Result<void> TapNic::start(PacketPool& pool) {
    if (pool_ != nullptr) return Error{Errc::busy, "already started"};
    mtu_ = mtu_within(mtu_, pool.buffer_size() - pool.headroom());
    pool_ = &pool;
    readable_ = true; // frames may have queued before we watched
    return linux_process::watch_fd(fd_, EPOLLIN, [this](std::uint32_t) { readable_ = true; });
}

std::size_t TapNic::receive(PacketBatch& batch) {
    if (pool_ == nullptr) return 0;
    std::size_t received = 0;
    while (!batch.full()) {
        PacketPtr p = pool_->allocate();
        if (!p) break;
        const ssize_t n = read(fd_, p->data().data(), p->tailroom());
        if (n <= 0) {
            if (n < 0 && errno != EAGAIN && errno != EINTR)
                os::printf("halite: %s: read: %s\n", name(), std::strerror(errno));
            readable_ = false;
            break;
        }
        (void)p->append(static_cast<std::size_t>(n));
        (void)batch.push(std::move(p));
        ++received;
    }
    return received;
}

std::size_t TapNic::send(PacketBatch& batch) {
    std::size_t taken = 0;
    for (; taken < batch.size(); ++taken) {
        const auto frame = batch[taken]->data();
        if (write(fd_, frame.data(), frame.size()) < 0 && (errno == EAGAIN || errno == EINTR)) break;
        // Other errors (the tap is down): the frame is lost on the wire, as on a cable.
    }
    batch.remove_front(taken);
    return taken;
}

} // namespace os::linux_nic
