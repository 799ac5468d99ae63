// PacketBuffer, PacketPool and PacketBatch: the packet memory shared by the NIC drivers (os/drivers, the
// linux platform's TAP and AF_PACKET) and the network stack (net/, which re-exports these as net::).
//
// On an image the pool's memory is identity-mapped RAM, so a buffer's pointer is its bus address and drivers
// post pool buffers to device rings directly (no bounce copies).
#pragma once

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>

namespace os {

class PacketPool;

// One packet: a fixed slice of the pool's memory with a data window [head, tail). Headroom in front of the
// window lets a layer prepend a header without copying; a buffer received on one NIC can be sent on another.
class PacketBuffer {
public:
    PacketBuffer(const PacketBuffer&) = delete;
    PacketBuffer& operator=(const PacketBuffer&) = delete;

    std::span<std::byte> data() { return {storage_ + head_, tail_ - head_}; }
    std::span<const std::byte> data() const { return {storage_ + head_, tail_ - head_}; }
    std::size_t size() const { return tail_ - head_; }
    std::size_t headroom() const { return head_; }
    std::size_t tailroom() const { return capacity_ - tail_; }
    std::size_t capacity() const { return capacity_; }

    // Empties the buffer and places its start `headroom` bytes into the storage.
    void reset(std::size_t headroom) {
        assert(headroom <= capacity_);
        head_ = tail_ = static_cast<std::uint32_t>(headroom);
    }
    // Grows the window at the front (a header is about to be written there). False if no headroom.
    [[nodiscard]] bool prepend(std::size_t n) {
        if (n > head_) return false;
        head_ -= static_cast<std::uint32_t>(n);
        return true;
    }
    // Removes n bytes from the front (a parsed header). False if the packet is shorter.
    [[nodiscard]] bool consume_front(std::size_t n) {
        if (n > size()) return false;
        head_ += static_cast<std::uint32_t>(n);
        return true;
    }
    // Grows the window at the back (payload is about to be written there). False if no tailroom.
    [[nodiscard]] bool append(std::size_t n) {
        if (n > tailroom()) return false;
        tail_ += static_cast<std::uint32_t>(n);
        return true;
    }
    // Shortens the packet to `n` bytes (drops link-layer padding). False if it is already shorter.
    [[nodiscard]] bool truncate(std::size_t n) {
        if (n > size()) return false;
        tail_ = head_ + static_cast<std::uint32_t>(n);
        return true;
    }
    // Whole storage, for drivers that post the buffer to a device ring.
    std::span<std::byte> storage() { return {storage_, capacity_}; }
    // Sets the data window after a device wrote `length` bytes at `offset` into storage().
    [[nodiscard]] bool set_window(std::size_t offset, std::size_t length) {
        if (offset > capacity_ || length > capacity_ - offset) return false;
        head_ = static_cast<std::uint32_t>(offset);
        tail_ = static_cast<std::uint32_t>(offset + length);
        return true;
    }
    PacketPool& pool() const { return *pool_; }
    // Free for whoever holds the buffer (a driver's descriptor index while the device owns it).
    std::uint32_t tag() const { return tag_; }
    void set_tag(std::uint32_t t) { tag_ = t; }
    // Set by a receiving NIC that checked the transport (TCP/UDP) checksum already (virtio-net DATA_VALID,
    // AF_PACKET TP_STATUS_CSUM_VALID): the stack may skip verifying it. Cleared when the buffer is allocated.
    bool checksum_verified() const { return checksum_verified_; }
    void set_checksum_verified(bool v) { checksum_verified_ = v; }

private:
    friend class PacketPool;
    PacketBuffer() = default;

    std::byte* storage_ = nullptr;
    PacketPool* pool_ = nullptr;
    PacketBuffer* next_free_ = nullptr;
    std::uint32_t capacity_ = 0;
    std::uint32_t head_ = 0;
    std::uint32_t tail_ = 0;
    std::uint32_t tag_ = 0;
    bool checksum_verified_ = false;
};

// Returns a buffer to the pool it came from when its owner lets go of it.
struct PacketRelease {
    void operator()(PacketBuffer* buffer) const noexcept;
};
// Sole owner of a buffer; moving it is how a packet changes hands between layers and devices.
using PacketPtr = std::unique_ptr<PacketBuffer, PacketRelease>;

// A fixed set of equal buffers, allocated once when the pool is made; allocate() and release are O(1)
// and never touch the heap. Single-threaded by design (one core, run to completion).
class PacketPool {
public:
    static constexpr std::size_t default_buffer_size = 2048;
    static constexpr std::size_t default_headroom = 128;

    PacketPool(std::size_t count, std::size_t buffer_size = default_buffer_size,
               std::size_t headroom = default_headroom)
        : memory_(new std::byte[count * buffer_size]), buffers_(new PacketBuffer[count]), count_(count),
          buffer_size_(buffer_size), headroom_(headroom < buffer_size ? headroom : buffer_size) {
        for (std::size_t i = count; i-- > 0;) {
            PacketBuffer& b = buffers_[i];
            b.storage_ = memory_.get() + i * buffer_size;
            b.pool_ = this;
            b.capacity_ = static_cast<std::uint32_t>(buffer_size);
            b.next_free_ = free_;
            free_ = &b;
        }
        available_ = count;
    }
    PacketPool(const PacketPool&) = delete;
    PacketPool& operator=(const PacketPool&) = delete;

    // An empty buffer with the default headroom, or null when the pool is exhausted.
    PacketPtr allocate() {
        PacketBuffer* b = free_;
        if (b == nullptr) return PacketPtr{};
        free_ = b->next_free_;
        b->next_free_ = nullptr;
        b->tag_ = 0;
        b->checksum_verified_ = false;
        --available_;
        b->reset(headroom_);
        return PacketPtr{b};
    }
    std::size_t available() const { return available_; }
    std::size_t count() const { return count_; }
    std::size_t buffer_size() const { return buffer_size_; }
    std::size_t headroom() const { return headroom_; }

private:
    friend struct PacketRelease;
    void release(PacketBuffer* b) {
        assert(b->pool_ == this);
        b->next_free_ = free_;
        free_ = b;
        ++available_;
    }

    std::unique_ptr<std::byte[]> memory_;
    std::unique_ptr<PacketBuffer[]> buffers_;
    PacketBuffer* free_ = nullptr;
    std::size_t count_;
    std::size_t buffer_size_;
    std::size_t headroom_;
    std::size_t available_ = 0;
};

inline void PacketRelease::operator()(PacketBuffer* buffer) const noexcept {
    buffer->pool().release(buffer);
}

// Up to `capacity` packets moved together between a device and the stack, so per-call costs (a doorbell, a
// virtual call) are paid once per batch rather than once per packet.
class PacketBatch {
public:
    static constexpr std::size_t capacity = 32;

    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    bool full() const { return size_ == capacity; }
    std::size_t free_space() const { return capacity - size_; }

    // Takes the packet; gives it back (non-null) when the batch is full.
    PacketPtr push(PacketPtr p) {
        if (full()) return p;
        items_[size_++] = std::move(p);
        return PacketPtr{};
    }
    PacketPtr& operator[](std::size_t i) { return items_[i]; }
    PacketPtr* begin() { return items_.data(); }
    PacketPtr* end() { return items_.data() + size_; }

    // Drops the first n packets (a device consumed them) and moves the rest to the front.
    void remove_front(std::size_t n) {
        if (n > size_) n = size_;
        for (std::size_t i = 0; i < n; ++i)
            items_[i].reset();
        for (std::size_t i = n; i < size_; ++i)
            items_[i - n] = std::move(items_[i]);
        size_ -= n;
    }
    void clear() { remove_front(size_); }

private:
    std::array<PacketPtr, capacity> items_{};
    std::size_t size_ = 0;
};

} // namespace os
