#include "virtio_net.hpp"

#include "drivers/net/checksum_offload.hpp"
#include "drivers/virtio/features.hpp"
#include "net_header.hpp"

#include <halite/os/memory.hpp>

#include <cstdio>

namespace os::virtio {

namespace {

// Device configuration (5.1.4).
namespace config {
inline constexpr std::uint32_t mac = 0;
inline constexpr std::uint32_t status = 6;
inline constexpr std::uint32_t mtu = 10;
} // namespace config
inline constexpr std::uint16_t status_link_up = 1;

constexpr std::size_t ethernet_overhead = 14 + 4; // header and one 802.1Q tag

std::uint64_t bus_address(const void* p) {
    // Identity on an image (os::memory); only pool and page memory reach here, which always translates.
    auto a = os::memory::virt_to_phys(p);
    return a ? *a : 0;
}

} // namespace

VirtioNet::VirtioNet(std::unique_ptr<Transport> transport, unsigned index)
    : transport_(std::move(transport)), index_(index) {
    std::snprintf(name_.data(), name_.size(), "virtio-net%u", index);
}

VirtioNet::~VirtioNet() {
    // The device may still read and write the rings: stop it before they go (a reset ends all DMA).
    if (rx_.memory != nullptr || tx_.memory != nullptr) transport_->reset();
    for (Queue* q : {&rx_, &tx_}) {
        q->ring.reset();
        if (q->memory != nullptr) os::memory::free_pages(q->memory, q->bytes);
    }
}

Result<VirtioNet*> VirtioNet::create(std::unique_ptr<Transport> transport, unsigned index) {
    auto* nic = new VirtioNet(std::move(transport), index);
    if (auto ok = nic->initialise(); !ok) {
        // 3.1.1: tell the device we gave up (a device with rings is reset as well, see the destructor).
        nic->transport_->set_status(nic->transport_->status() | status::failed);
        delete nic;
        return ok.error();
    }
    return nic;
}

Result<void> VirtioNet::initialise() {
    Transport& t = *transport_;
    // 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, device setup, DRIVER_OK.
    t.reset();
    std::uint8_t s = status::acknowledge;
    t.set_status(s);
    s |= status::driver;
    t.set_status(s);
    const NetNegotiation n = negotiate_net(t.device_features(), t.modern());
    if (n.unsupported != nullptr) return Error{Errc::unsupported, n.unsupported};
    features_ = n.accepted;
    t.set_driver_features(features_);
    if (t.modern()) {
        s |= status::features_ok;
        t.set_status(s);
        if ((t.status() & status::features_ok) == 0)
            return Error{Errc::unsupported, "device refused our features"};
    }
    header_length_ = net_header_length(features_, t.modern());
    mergeable_ = has(features_, feature::net_mrg_rxbuf) || t.modern();
    OS_TRY(t.setup_interrupts([this] { on_interrupt(); }));
    read_config(); // after the interrupt setup: a legacy device's configuration moves when MSI-X is on
    OS_TRY(setup_queue(rx_queue, rx_));
    OS_TRY(setup_queue(tx_queue, tx_));
    // No used-buffer interrupts for sent packets: their buffers are reclaimed on the next send or receive.
    tx_.ring->disable_interrupts();
    s |= status::driver_ok;
    t.set_status(s);
    if ((t.status() & status::needs_reset) != 0) return Error{Errc::io_error, "device needs a reset"};
    return {};
}

Result<void> VirtioNet::setup_queue(std::uint16_t index, Queue& queue) {
    Transport& t = *transport_;
    const std::uint16_t max = t.queue_max_size(index);
    if (max == 0) return Error{Errc::not_found, "a virtqueue is missing"};
    const std::uint16_t size = t.queue_size_fixed() || max < max_queue_size ? max : max_queue_size;
    if (!valid_queue_size(size)) return Error{Errc::unsupported, "queue size is not a power of two"};
    const QueueLayout layout = t.queue_layout(size);
    queue.memory = static_cast<std::byte*>(OS_TRY(os::memory::alloc_pages(layout.bytes)));
    queue.bytes = layout.bytes;
    queue.ring = std::make_unique<SplitQueue>(queue.memory, layout, has(features_, feature::event_idx));
    queue.slots = std::make_unique<PacketPtr[]>(size);
    return t.setup_queue(index, layout, bus_address(queue.memory), index == rx_queue);
}

void VirtioNet::read_config() {
    Transport& t = *transport_;
    if (has(features_, feature::net_mac)) {
        for (std::uint32_t i = 0; i < 6; ++i)
            mac_.octets[i] = t.config8(config::mac + i);
    } else {
        // 5.1.5: without MAC the driver picks one; locally administered, unicast.
        mac_ = MacAddress{{0x02, 0x48, 0x4c, 0x00, 0x00, static_cast<std::uint8_t>(index_)}};
    }
    if (has(features_, feature::net_mtu)) {
        const std::uint16_t m = t.config16(config::mtu);
        if (m >= 68) mtu_ = m;
    }
    link_up_ = !has(features_, feature::net_status) || (t.config16(config::status) & status_link_up) != 0;
}

void VirtioNet::on_interrupt() {
    ++stats_.interrupts;
    // Acknowledging de-asserts a level-triggered line before the OS unmasks it again.
    const std::uint32_t cause = transport_->acknowledge_interrupt();
    if ((cause & interrupt_cause::config) != 0 && has(features_, feature::net_status))
        link_up_ = (transport_->config16(config::status) & status_link_up) != 0;
    // Nothing else: the event loop's poller sees the used ring move.
}

Result<void> VirtioNet::start(PacketPool& pool) {
    if (pool_ != nullptr) return Error{Errc::busy, "already started"};
    // The device writes the header into the headroom and the frame where the stack wants it to begin.
    rx_offset_ = pool.headroom() >= header_length_ ? pool.headroom() - header_length_ : 0;
    const std::size_t room = pool.buffer_size() - rx_offset_ - header_length_;
    if (room < 60 + 4) return Error{Errc::invalid_argument, "pool buffers too small for Ethernet frames"};
    // A frame larger than one buffer would arrive split (MRG_RXBUF) and be dropped: send no more than fits.
    if (room < mtu_ + ethernet_overhead) mtu_ = static_cast<std::uint16_t>(room - ethernet_overhead);
    pool_ = &pool;
    refill_rx();
    return {};
}

Result<void> VirtioNet::set_rx_buffer_limit(std::size_t limit) {
    if (auto valid = Nic::set_rx_buffer_limit(limit); !valid) return valid;
    // Lowering it takes effect as the device hands back what it holds; raising it posts more at once.
    rx_limit_ = limit;
    if (pool_ != nullptr) refill_rx();
    return {};
}

void VirtioNet::refill_rx() {
    SplitQueue& q = *rx_.ring;
    bool added = false;
    // One descriptor per receive buffer: the ring's used descriptors are the buffers the device holds.
    while (q.free_descriptors() > 0 && q.size() - q.free_descriptors() < rx_limit_) {
        PacketPtr p = pool_->allocate();
        if (!p) {
            ++stats_.rx_no_buffers;
            break;
        }
        const auto storage = p->storage();
        const auto id = q.add(bus_address(storage.data() + rx_offset_),
                              static_cast<std::uint32_t>(storage.size() - rx_offset_), true);
        rx_.slots[*id] = std::move(p);
        added = true;
    }
    if (added && q.publish()) transport_->notify(rx_queue);
}

std::size_t VirtioNet::receive(PacketBatch& batch) {
    if (pool_ == nullptr) return 0;
    reclaim_tx();
    SplitQueue& q = *rx_.ring;
    std::size_t received = 0;
    while (!batch.full()) {
        const auto used = q.take_used();
        if (!used) break;
        PacketPtr p = std::move(rx_.slots[used->id]);
        if (!p) continue;
        if (skip_buffers_ > 0) { // the rest of a packet we could not take whole
            --skip_buffers_;
            continue;
        }
        if (used->length < header_length_ + 14) {
            ++stats_.rx_dropped;
            continue;
        }
        NetHeader header(p->storage().subspan(rx_offset_, header_length_));
        // 5.1.6.4: with mergeable buffers a packet may span num_buffers buffers; ours hold a full frame,
        // so only an oversized one does that, and it is dropped whole.
        if (mergeable_ && header.num_buffers() > 1) {
            skip_buffers_ = static_cast<std::uint16_t>(header.num_buffers() - 1);
            ++stats_.rx_dropped;
            continue;
        }
        if (!p->set_window(rx_offset_ + header_length_, used->length - header_length_)) {
            ++stats_.rx_dropped;
            continue;
        }
        if ((header.flags() & NetHeader::flag_needs_csum) != 0) {
            if (!net_offload::complete_partial_checksum(p->data(), header.csum_start(),
                                                        header.csum_offset())) {
                ++stats_.rx_dropped;
                continue;
            }
        } else if ((header.flags() & NetHeader::flag_data_valid) != 0) {
            p->set_checksum_verified(true);
        }
        (void)batch.push(std::move(p));
        ++received;
    }
    stats_.rx_packets += received;
    if (received > 0) q.disable_interrupts(); // busy: the poller comes back without being woken
    refill_rx();
    return received;
}

bool VirtioNet::rx_pending() const {
    return rx_.ring->has_used();
}

bool VirtioNet::enable_rx_wakeup() {
    rx_.ring->enable_interrupts();
    return rx_.ring->has_used();
}

void VirtioNet::reclaim_tx() {
    while (const auto used = tx_.ring->take_used()) {
        tx_.slots[used->id].reset(); // back to the pool
        ++stats_.tx_packets;
    }
}

std::size_t VirtioNet::send(PacketBatch& batch) {
    reclaim_tx();
    SplitQueue& q = *tx_.ring;
    std::size_t taken = 0;
    bool added = false;
    for (; taken < batch.size() && q.free_descriptors() > 0; ++taken) {
        PacketPtr& p = batch[taken];
        // 5.1.6.2: the header goes in front of the frame, in the same descriptor (VERSION_1 / ANY_LAYOUT).
        if (!p->prepend(header_length_)) {
            ++stats_.tx_dropped;
            p.reset();
            continue;
        }
        NetHeader(p->data().first(header_length_)).clear();
        const auto id = q.add(bus_address(p->data().data()), static_cast<std::uint32_t>(p->size()), false);
        tx_.slots[*id] = std::move(p);
        added = true;
    }
    if (added && q.publish()) transport_->notify(tx_queue);
    batch.remove_front(taken);
    return taken;
}

void VirtioNet::describe(std::span<char> out) const {
    char names[160];
    format_features(features_, names);
    std::snprintf(out.data(), out.size(), "%s: %s, %s, queues %u/%u, features %s", name_.data(),
                  transport_->description(), transport_->interrupt_mode(), rx_.ring ? rx_.ring->size() : 0,
                  tx_.ring ? tx_.ring->size() : 0, names);
}

} // namespace os::virtio
