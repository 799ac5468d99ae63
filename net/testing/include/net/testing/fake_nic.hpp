// A NIC for host tests: frames injected by the test are received by the stack, frames the stack sends are
// kept for the test to inspect. Link state, MTU and a TX queue limit are set by the test.
#pragma once

#include "net/nic.hpp"

#include <cstddef>
#include <deque>
#include <limits>
#include <span>
#include <vector>

namespace net::testing {

class FakeNic final : public Nic {
public:
    FakeNic(PacketPool& pool, MacAddress mac, std::uint16_t mtu = 1500) : pool_(pool), mac_(mac), mtu_(mtu) {}

    MacAddress mac() const override { return mac_; }
    std::uint16_t mtu() const override { return mtu_; }
    bool link_up() const override { return link_up_; }
    std::size_t receive(PacketBatch& batch) override;
    std::size_t send(PacketBatch& batch) override;

    void set_link_up(bool up) { link_up_ = up; }
    // At most this many frames are taken by each send() call (simulates a full device queue).
    void set_tx_limit(std::size_t n) { tx_limit_ = n; }

    // Copies `frame` into a pool buffer (at the pool's headroom, as a driver would) and queues it for
    // receive(); false when the pool is exhausted or the frame does not fit.
    bool inject(std::span<const std::byte> frame);
    void inject(PacketPtr frame) { rx_.push_back(std::move(frame)); }
    std::size_t pending_rx() const { return rx_.size(); }

    // Frames sent so far (oldest first); taking them releases their buffers to the pool.
    std::deque<PacketPtr>& sent() { return sent_; }
    std::vector<std::vector<std::byte>> take_sent();

private:
    PacketPool& pool_;
    MacAddress mac_;
    std::uint16_t mtu_;
    bool link_up_ = true;
    std::size_t tx_limit_ = std::numeric_limits<std::size_t>::max();
    std::deque<PacketPtr> rx_;
    std::deque<PacketPtr> sent_;
};

} // namespace net::testing
