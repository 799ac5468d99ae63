// The device side of virtio split queues and a fake virtio transport, for host tests of the drivers. It
// reads and writes the rings at the byte offsets of virtio 1.2, 2.7 (independently of SplitQueue's own
// definitions), and treats bus addresses as pointers (the fake os::memory translates identically).
#pragma once

#include "drivers/virtio/transport.hpp"
#include "drivers/virtio/virtqueue.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace os::virtio::testing {

class FakeQueueDevice {
public:
    struct Buffer {
        std::uint16_t id;
        std::uint64_t address;
        std::uint32_t length;
        std::uint16_t flags;
        std::byte* data() const { return reinterpret_cast<std::byte*>(address); }
    };

    FakeQueueDevice(std::byte* memory, const QueueLayout& layout, bool event_idx)
        : memory_(memory), layout_(layout), event_idx_(event_idx) {}

    std::uint16_t avail_index() const { return read16(layout_.available + 2); }
    std::uint16_t avail_flags() const { return read16(layout_.available); }
    std::uint16_t used_event() const { return read16(layout_.available + 4 + 2 * std::size_t{layout_.size}); }
    std::uint16_t used_index() const { return used_; }
    std::size_t available() const { return static_cast<std::uint16_t>(avail_index() - next_avail_); }

    // The next buffer the driver made available.
    std::optional<Buffer> pop() {
        if (available() == 0) return std::nullopt;
        const std::uint16_t id = read16(layout_.available + 4 + 2 * (next_avail_ % layout_.size));
        ++next_avail_;
        const std::size_t d = layout_.descriptors + 16 * std::size_t{id};
        std::uint64_t address;
        std::uint32_t length;
        std::memcpy(&address, memory_ + d, 8);
        std::memcpy(&length, memory_ + d + 8, 4);
        return Buffer{id, address, length, read16(d + 12)};
    }

    // Returns a buffer; true when the driver asked for an interrupt for it (2.7.7).
    bool push_used(std::uint32_t id, std::uint32_t length) {
        const std::size_t e = layout_.used + 4 + 8 * static_cast<std::size_t>(used_ % layout_.size);
        std::memcpy(memory_ + e, &id, 4);
        std::memcpy(memory_ + e + 4, &length, 4);
        const std::uint16_t old = used_;
        ++used_;
        write16(layout_.used + 2, used_);
        if (event_idx_) return need_event(used_event(), used_, old);
        return (avail_flags() & avail_flag_no_interrupt) == 0;
    }

    // What the device tells the driver about notifications (2.7.10).
    void set_avail_event(std::uint16_t v) { write16(layout_.used + 4 + 8 * std::size_t{layout_.size}, v); }
    void set_no_notify(bool on) { write16(layout_.used, on ? used_flag_no_notify : 0); }

private:
    std::uint16_t read16(std::size_t at) const {
        std::uint16_t v;
        std::memcpy(&v, memory_ + at, 2);
        return v;
    }
    void write16(std::size_t at, std::uint16_t v) { std::memcpy(memory_ + at, &v, 2); }

    std::byte* memory_;
    QueueLayout layout_;
    bool event_idx_;
    std::uint16_t next_avail_ = 0;
    std::uint16_t used_ = 0;
};

// A virtio-net device as its transport shows it: features, status, configuration, two queues.
class FakeTransport final : public Transport {
public:
    std::uint64_t offered = 0;
    bool is_modern = true;
    bool refuse_features = false;
    std::uint16_t queue_max = 256;
    bool fixed_size = false;
    std::array<std::uint8_t, 12> config{}; // mac[6], status le16, max_pairs le16, mtu le16
    std::vector<std::uint8_t> status_writes;
    std::uint64_t driver_features = 0;
    std::array<unsigned, 2> notifications{};
    std::array<std::unique_ptr<FakeQueueDevice>, 2> queues;
    std::array<bool, 2> queue_interrupts{};
    std::function<void()> handler;
    std::uint32_t pending_cause = 0;

    const char* description() const override { return "fake"; }
    bool modern() const override { return is_modern; }
    void reset() override { status_ = 0; }
    std::uint8_t status() override { return status_; }
    void set_status(std::uint8_t s) override {
        if (refuse_features) s &= static_cast<std::uint8_t>(~status::features_ok);
        status_ = s;
        status_writes.push_back(s);
    }
    std::uint64_t device_features() override { return offered; }
    void set_driver_features(std::uint64_t f) override { driver_features = f; }
    Result<void> setup_interrupts(std::function<void()> h) override {
        handler = std::move(h);
        return {};
    }
    const char* interrupt_mode() const override { return "fake irq"; }
    std::uint32_t acknowledge_interrupt() override { return std::exchange(pending_cause, 0); }
    std::uint16_t queue_max_size(std::uint16_t index) override { return index < 2 ? queue_max : 0; }
    bool queue_size_fixed() const override { return fixed_size; }
    QueueLayout queue_layout(std::uint16_t size) const override {
        return is_modern ? QueueLayout::modern(size) : QueueLayout::legacy(size);
    }
    Result<void> setup_queue(std::uint16_t index, const QueueLayout& layout, std::uint64_t base,
                             bool interrupts) override {
        const bool event_idx = (driver_features & (std::uint64_t{1} << 29)) != 0;
        queues[index] =
            std::make_unique<FakeQueueDevice>(reinterpret_cast<std::byte*>(base), layout, event_idx);
        queue_interrupts[index] = interrupts;
        return {};
    }
    void notify(std::uint16_t index) override { ++notifications[index]; }
    std::uint8_t config8(std::uint32_t offset) override { return config[offset]; }
    std::uint16_t config16(std::uint32_t offset) override {
        return static_cast<std::uint16_t>(config[offset] | (config[offset + 1] << 8));
    }

private:
    std::uint8_t status_ = 0;
};

} // namespace os::virtio::testing
