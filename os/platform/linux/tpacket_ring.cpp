#include "tpacket_ring.hpp"

#include "drivers/net/checksum_offload.hpp"

#include <cstring>
#include <linux/if_packet.h>

namespace os::linux_nic {

namespace {

// The ring's headers are the kernel's UAPI structures (shared memory with the kernel, not packet bytes).
const tpacket_block_desc* block_desc(const std::byte* b) {
    return reinterpret_cast<const tpacket_block_desc*>(b);
}
std::uint32_t load_status(const std::uint32_t* field) {
    return __atomic_load_n(field, __ATOMIC_ACQUIRE);
}
void store_status(std::uint32_t* field, std::uint32_t v) {
    __atomic_store_n(field, v, __ATOMIC_RELEASE);
}

constexpr std::size_t tx_data_offset = TPACKET_ALIGN(sizeof(tpacket3_hdr));
constexpr std::size_t mac_length = 12;
constexpr std::uint16_t tpid_8021q = 0x8100;

} // namespace

bool TpacketRxRing::ready() const {
    if (next_frame_ != nullptr) return true;
    return (load_status(&block_desc(block(current_))->hdr.bh1.block_status) & TP_STATUS_USER) != 0;
}

void TpacketRxRing::release_block() {
    auto* desc = reinterpret_cast<tpacket_block_desc*>(block(current_));
    store_status(&desc->hdr.bh1.block_status, TP_STATUS_KERNEL);
    current_ = (current_ + 1) % block_count_;
    next_frame_ = nullptr;
    frames_left_ = 0;
}

std::size_t TpacketRxRing::receive(PacketBatch& batch, PacketPool& pool) {
    std::size_t appended = 0;
    while (!batch.full()) {
        if (next_frame_ == nullptr) {
            const std::byte* b = block(current_);
            const tpacket_hdr_v1& h = block_desc(b)->hdr.bh1;
            if ((load_status(&h.block_status) & TP_STATUS_USER) == 0) break;
            if (h.num_pkts == 0 || h.offset_to_first_pkt >= block_size_) {
                release_block();
                continue;
            }
            next_frame_ = b + h.offset_to_first_pkt;
            frames_left_ = h.num_pkts;
        }
        const auto* frame = reinterpret_cast<const tpacket3_hdr*>(next_frame_);
        if (copy_frame(next_frame_, batch, pool)) ++appended;
        const std::uint32_t next = frame->tp_next_offset;
        if (--frames_left_ == 0 || next == 0) {
            release_block();
        } else {
            next_frame_ += next;
        }
    }
    return appended;
}

bool TpacketRxRing::copy_frame(const std::byte* header, PacketBatch& batch, PacketPool& pool) {
    const auto* h = reinterpret_cast<const tpacket3_hdr*>(header);
    const auto* address = reinterpret_cast<const sockaddr_ll*>(header + TPACKET_ALIGN(sizeof(tpacket3_hdr)));
    if (address->sll_pkttype == PACKET_OUTGOING) {
        ++stats_.outgoing;
        return false;
    }
    const std::byte* data = header + h->tp_mac;
    const std::size_t length = h->tp_snaplen;
    const std::uint32_t status = h->tp_status;
    // The kernel keeps an 802.1Q tag it parsed in metadata (VLAN offload) rather than in the frame: put it
    // back where it was, between the addresses and the EtherType (IEEE 802.1Q 9.3).
    const bool tag = (status & TP_STATUS_VLAN_VALID) != 0;
    PacketPtr p = pool.allocate();
    if (!p || length < mac_length || h->tp_snaplen < h->tp_len || !p->append(length + (tag ? 4 : 0))) {
        ++stats_.dropped;
        return false;
    }
    std::byte* out = p->data().data();
    if (tag) {
        const std::uint16_t tpid =
            (status & TP_STATUS_VLAN_TPID_VALID) != 0 ? h->hv1.tp_vlan_tpid : tpid_8021q;
        const std::uint16_t tci = h->hv1.tp_vlan_tci;
        std::memcpy(out, data, mac_length);
        out[12] = static_cast<std::byte>(tpid >> 8);
        out[13] = static_cast<std::byte>(tpid);
        out[14] = static_cast<std::byte>(tci >> 8);
        out[15] = static_cast<std::byte>(tci);
        std::memcpy(out + 16, data + mac_length, length - mac_length);
    } else {
        std::memcpy(out, data, length);
    }
    if ((status & TP_STATUS_CSUMNOTREADY) != 0) {
        // A sender on this host offloaded the transport checksum (CHECKSUM_PARTIAL): finish it, or the
        // frame would leave through us with a wrong one.
        (void)net_offload::fill_transport_checksum(p->data());
    } else if ((status & TP_STATUS_CSUM_VALID) != 0) {
        p->set_checksum_verified(true);
    }
    ++stats_.frames;
    (void)batch.push(std::move(p));
    return true;
}

std::size_t TpacketTxRing::max_frame() const {
    return frame_size_ - tx_data_offset - vnet_header_;
}

bool TpacketTxRing::push(std::span<const std::byte> frame) {
    auto* h = reinterpret_cast<tpacket3_hdr*>(memory_ + next_ * frame_size_);
    // Free slots read TP_STATUS_AVAILABLE; one the kernel refused (TP_STATUS_WRONG_FORMAT) is reused.
    if ((load_status(&h->tp_status) & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING)) != 0) return false;
    if (frame.size() > max_frame()) return false;
    std::byte* data = reinterpret_cast<std::byte*>(h) + tx_data_offset;
    if (vnet_header_ != 0) {
        // struct virtio_net_hdr: no offload, no segmentation; hdr_len (le16 at 2) spans the whole frame.
        std::memset(data, 0, vnet_header_);
        data[2] = static_cast<std::byte>(frame.size());
        data[3] = static_cast<std::byte>(frame.size() >> 8);
        data += vnet_header_;
    }
    std::memcpy(data, frame.data(), frame.size());
    const auto length = static_cast<std::uint32_t>(vnet_header_ + frame.size());
    h->tp_len = length;
    h->tp_snaplen = length;
    h->tp_next_offset = 0; // the kernel sends fixed-size slots only
    store_status(&h->tp_status, TP_STATUS_SEND_REQUEST);
    next_ = (next_ + 1) % frame_count_;
    return true;
}

} // namespace os::linux_nic
