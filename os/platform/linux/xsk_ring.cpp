#include "xsk_ring.hpp"

#include "drivers/net/checksum_offload.hpp"

#include <cstring>

namespace os::linux_nic {

namespace {

std::uint32_t load_acquire(const std::uint32_t* index) {
    return __atomic_load_n(index, __ATOMIC_ACQUIRE);
}
void store_release(std::uint32_t* index, std::uint32_t value) {
    __atomic_store_n(index, value, __ATOMIC_RELEASE);
}

// The rings' entries are the kernel's UAPI structures in memory shared with it, not packet bytes.
xdp_desc* descriptors(const XskRingMemory& ring) {
    return static_cast<xdp_desc*>(ring.entries);
}
std::uint64_t* addresses(const XskRingMemory& ring) {
    return static_cast<std::uint64_t*>(ring.entries);
}

constexpr std::size_t min_frame = 14; // an Ethernet header

} // namespace

void XskRxRing::give_frames(std::uint32_t first, std::uint32_t count) {
    std::uint32_t producer = *fill_.producer;
    for (std::uint32_t i = 0; i < count; ++i, ++producer)
        addresses(fill_)[producer & (fill_.size - 1)] = std::uint64_t{first + i} * frame_size_;
    store_release(fill_.producer, producer);
}

bool XskRxRing::ready() const {
    return load_acquire(rx_.producer) != *rx_.consumer;
}

std::size_t XskRxRing::receive(PacketBatch& batch, PacketPool& pool) {
    const std::uint32_t posted = load_acquire(rx_.producer);
    std::uint32_t consumer = *rx_.consumer;
    std::uint32_t fill = *fill_.producer;
    std::size_t appended = 0;
    for (; consumer != posted && !batch.full(); ++consumer) {
        const xdp_desc d = descriptors(rx_)[consumer & (rx_.size - 1)];
        // In the default (aligned) mode the kernel takes any address inside a frame for the whole frame.
        addresses(fill_)[fill++ & (fill_.size - 1)] = d.addr - d.addr % frame_size_;
        PacketPtr p;
        if (d.addr > umem_.size() || d.len > umem_.size() - d.addr || d.len < min_frame ||
            !(p = pool.allocate()) || !p->append(d.len)) {
            ++stats_.dropped;
            continue;
        }
        std::memcpy(p->data().data(), umem_.data() + d.addr, d.len);
        // The kernel does not say whether a sender on this host left the checksum to offload: see
        // xdp_nic.hpp.
        stats_.checksums_completed += net_offload::complete_unmarked_partial_checksum(p->data());
        ++stats_.frames;
        (void)batch.push(std::move(p));
        ++appended;
    }
    store_release(rx_.consumer, consumer);
    store_release(fill_.producer, fill);
    return appended;
}

XskTxRing::XskTxRing(XskRingMemory tx, XskRingMemory completion, std::span<std::byte> umem,
                     std::uint32_t frame_size, std::uint32_t first, std::uint32_t count)
    : tx_(tx), completion_(completion), umem_(umem), frame_size_(frame_size), frame_count_(count),
      tx_producer_(*tx.producer) {
    free_.reserve(count);
    for (std::uint32_t i = count; i-- > 0;)
        free_.push_back(std::uint64_t{first + i} * frame_size);
}

void XskTxRing::reclaim() {
    const std::uint32_t posted = load_acquire(completion_.producer);
    std::uint32_t consumer = *completion_.consumer;
    for (; consumer != posted; ++consumer) {
        const std::uint64_t address = addresses(completion_)[consumer & (completion_.size - 1)];
        // A frame we never sent would be a kernel bug; never let it grow the free list past the frames there
        // are.
        if (free_.size() < frame_count_) free_.push_back(address - address % frame_size_);
    }
    store_release(completion_.consumer, consumer);
}

bool XskTxRing::push(std::span<const std::byte> frame) {
    if (frame.size() > frame_size_) return false;
    if (free_.empty()) reclaim();
    // The transmit ring is as large as the completion ring, which holds every transmit frame: a free
    // frame always has a descriptor slot.
    if (free_.empty()) return false;
    const std::uint64_t address = free_.back();
    free_.pop_back();
    std::memcpy(umem_.data() + address, frame.data(), frame.size());
    descriptors(tx_)[tx_producer_ & (tx_.size - 1)] =
        xdp_desc{address, static_cast<std::uint32_t>(frame.size()), 0};
    ++tx_producer_;
    return true;
}

void XskTxRing::publish() {
    store_release(tx_.producer, tx_producer_);
}

std::uint32_t XskTxRing::unsent() const {
    return *tx_.producer - load_acquire(tx_.consumer);
}

} // namespace os::linux_nic
