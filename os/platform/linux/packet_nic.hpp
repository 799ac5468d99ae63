// A NIC over an AF_PACKET socket bound to a Linux interface (a veth in a namespace lab), with TPACKET_V3
// rings: frames arrive in blocks the kernel fills (one wake-up per block, not per frame) and leave through
// a transmit ring flushed with one send() per batch, bypassing the qdisc layer. Each frame is copied once
// each way between the ring and a pool buffer (the rings are the kernel's memory).
#pragma once

#include "tpacket_ring.hpp"

#include <halite/os/nic.hpp>
#include <halite/os/timers.hpp>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace os::linux_nic {

struct PacketNicStats {
    std::uint64_t tx_packets = 0;
    std::uint64_t tx_dropped = 0; // larger than a ring slot, or the kernel refused the send
    std::uint64_t sends = 0;      // send() calls (one per batch)
};

class PacketNic final : public Nic {
public:
    // Opens and binds the socket and maps the rings; the error says what failed (errno text on the console).
    static Result<PacketNic*> open(const std::string& interface, unsigned index);
    ~PacketNic() override;

    MacAddress mac() const override { return mac_; }
    std::uint16_t mtu() const override { return mtu_; }
    bool link_up() const override { return link_up_; }
    std::size_t receive(PacketBatch& batch) override;
    std::size_t send(PacketBatch& batch) override;
    const char* name() const override { return name_.data(); }
    Result<void> start(PacketPool& pool) override;
    bool rx_pending() const override { return rx_->ready(); }

    const RxFrameStats& rx_stats() const { return rx_->stats(); }
    const PacketNicStats& tx_stats() const { return stats_; }

private:
    PacketNic() = default;
    void refresh_link();
    void report_kernel_drops();

    int fd_ = -1;    // receives (watched by the event loop)
    int tx_fd_ = -1; // sends
    std::string interface_;
    std::array<char, 32> name_{};
    MacAddress mac_{};
    std::uint16_t mtu_ = 1500;
    bool link_up_ = true;
    std::pair<void*, std::size_t> rx_ring_{nullptr, 0};
    std::pair<void*, std::size_t> tx_ring_{nullptr, 0};
    std::optional<TpacketRxRing> rx_;
    std::optional<TpacketTxRing> tx_;
    PacketPool* pool_ = nullptr;
    timers::Id timer_ = timers::Id::none; // link state and drop reports, every second
    PacketNicStats stats_;
};

} // namespace os::linux_nic
