// The virtio-net driver (virtio 1.2, 5.1) over any virtio transport: one receive and one transmit queue,
// receive buffers taken straight from the shared PacketPool and handed to the stack (no copy), transmitted
// buffers returned to the pool when the device is done with them. Interrupts only wake the event loop (the
// platform glue polls the rings), and EVENT_IDX keeps them to about one per idle period.
#pragma once

#include "drivers/virtio/transport.hpp"
#include "drivers/virtio/virtqueue.hpp"

#include <halite/os/nic.hpp>
#include <halite/os/result.hpp>

#include <array>
#include <cstdint>
#include <memory>

namespace os::virtio {

struct NetStats {
    std::uint64_t rx_packets = 0;
    std::uint64_t rx_dropped = 0;    // malformed header, a packet over several buffers, bad checksum offsets
    std::uint64_t rx_no_buffers = 0; // refills the pool could not serve
    std::uint64_t tx_packets = 0;    // completed by the device
    std::uint64_t tx_dropped = 0;    // no headroom for the virtio-net header
    std::uint64_t interrupts = 0;
};

class VirtioNet final : public Nic {
public:
    static constexpr std::uint16_t rx_queue = 0;
    static constexpr std::uint16_t tx_queue = 1;
    static constexpr std::uint16_t max_queue_size = 256;

    // Brings the device to DRIVER_OK (3.1.1): reset, feature negotiation, interrupts, both queues. On failure
    // the device is marked FAILED and the error says why (a console line for the caller).
    static Result<VirtioNet*> create(std::unique_ptr<Transport> transport, unsigned index);
    ~VirtioNet() override;

    MacAddress mac() const override { return mac_; }
    std::uint16_t mtu() const override { return mtu_; }
    bool link_up() const override { return link_up_; }
    std::size_t receive(PacketBatch& batch) override;
    std::size_t send(PacketBatch& batch) override;
    const char* name() const override { return name_.data(); }
    Result<void> start(PacketPool& pool) override;
    Result<void> set_rx_buffer_limit(std::size_t limit) override;
    bool rx_pending() const override;
    bool enable_rx_wakeup() override;

    std::uint64_t features() const { return features_; }
    const NetStats& stats() const { return stats_; }
    Transport& transport() { return *transport_; }
    // The device's one-line description: transport, features, queue sizes, interrupt mode.
    void describe(std::span<char> out) const;

private:
    struct Queue {
        std::byte* memory = nullptr;
        std::size_t bytes = 0;
        std::unique_ptr<SplitQueue> ring;
        std::unique_ptr<PacketPtr[]> slots; // the buffer behind each descriptor in flight
    };

    VirtioNet(std::unique_ptr<Transport> transport, unsigned index);
    Result<void> initialise();
    Result<void> setup_queue(std::uint16_t index, Queue& queue);
    void read_config();
    void on_interrupt();
    void refill_rx();
    std::size_t rx_limit_ = SIZE_MAX; // receive buffers posted at most (set_rx_buffer_limit)
    void reclaim_tx();

    std::unique_ptr<Transport> transport_;
    unsigned index_;
    std::array<char, 16> name_{};
    std::uint64_t features_ = 0;
    std::size_t header_length_ = 12;
    bool mergeable_ = false;
    MacAddress mac_{};
    std::uint16_t mtu_ = 1500;
    bool link_up_ = true;
    Queue rx_, tx_;
    PacketPool* pool_ = nullptr;
    std::size_t rx_offset_ = 0;      // where the device writes the header in a receive buffer's storage
    std::uint16_t skip_buffers_ = 0; // rest of a multi-buffer packet being dropped
    NetStats stats_;
};

} // namespace os::virtio
