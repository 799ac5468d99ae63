// The AF_XDP sockets of one receive queue of an interface, in copy mode, with a UMEM of their own: 2 KiB
// frames, 2,048 for receiving (each goes straight back on the fill ring) and 1,024 for sending (free again
// from the completion ring), 6 MiB, and the four rings mapped (see xsk_ring.hpp). Two sockets share the
// queue and the UMEM: one receives (and is the one the event loop watches), one sends (xsk_socket.cpp says
// why). XdpNic has one XskSocket per queue.
#pragma once

#include "xsk_ring.hpp"

#include <halite/os/result.hpp>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace os::linux_nic {

class XskSocket {
public:
    // `interface` names the NIC in error lines.
    static Result<std::unique_ptr<XskSocket>> open(const std::string& interface, unsigned ifindex,
                                                   unsigned queue);
    XskSocket(const XskSocket&) = delete;
    XskSocket& operator=(const XskSocket&) = delete;
    ~XskSocket();

    int fd() const { return fd_; } // the receiving socket, to watch and to redirect frames to
    XskRxRing& rx() { return *rx_; }
    const XskRxRing& rx() const { return *rx_; }
    XskTxRing& tx() { return *tx_; }
    // Has the kernel send what the transmit ring holds: in copy mode only a send() on the socket does, at
    // most 32 frames a call, so this makes a few. Returns the calls made.
    unsigned kick();
    // The kernel's receive drops (full receive ring, empty fill ring) since the previous call, or nullopt.
    struct Drops {
        std::uint64_t ring_full = 0;
        std::uint64_t fill_empty = 0;
        std::uint64_t total = 0;
    };
    std::optional<Drops> drops_since_last_call();

private:
    XskSocket() = default;

    int fd_ = -1;    // receives; the event loop watches it
    int tx_fd_ = -1; // sends, on the same queue and UMEM; nothing watches it
    void* umem_ = nullptr;
    std::size_t umem_bytes_ = 0;
    std::array<std::pair<void*, std::size_t>, 4> rings_{}; // mappings: receive, transmit, fill, completion
    std::optional<XskRxRing> rx_;
    std::optional<XskTxRing> tx_;
    xdp_statistics reported_{};
};

} // namespace os::linux_nic
