// A NIC over an AF_XDP socket on a Linux interface (`--nic xdp:IFNAME`): an XDP program on the interface
// redirects its frames to the socket before the kernel's stack sees them (no socket buffer on the receive
// path of a native-XDP driver such as veth), and frames leave through the socket's transmit ring, which the
// kernel drains on a send(). Copy mode: each frame is copied once each way between the UMEM and a pool
// buffer, as with AF_PACKET (zero-copy needs driver support veth lacks, and the appliance's buffers are the
// pool's).
//
// What the kernel does not tell an AF_XDP socket, and does tell an AF_PACKET one: that a sender on this host
// left a transport checksum to offload (CHECKSUM_PARTIAL: the field holds only the pseudo-header sum). The
// receive ring recognises such a frame by that value and a checksum that does not verify, and completes it
// (net_offload::complete_unmarked_partial_checksum). Nor is it told about an 802.1Q tag that VLAN offload
// carries beside a local sender's frame instead of in it: such a frame would arrive untagged. (Untested: the
// kernel of these machines has no 8021q, so no local sender tags that way. Tags in the frame's bytes, from
// scapy or from other machines, arrive as sent.)
#pragma once

#include "xdp_redirect.hpp"
#include "xsk_ring.hpp"

#include <halite/os/nic.hpp>

#include <array>
#include <optional>
#include <string>

namespace os::linux_nic {

struct XdpNicStats {
    std::uint64_t tx_packets = 0;
    std::uint64_t tx_dropped = 0; // longer than a UMEM frame
    std::uint64_t sends = 0;      // send() system calls
};

class XdpNic final : public Nic {
public:
    static Result<XdpNic*> open(const std::string& interface);
    ~XdpNic() override;

    MacAddress mac() const override { return mac_; }
    std::uint16_t mtu() const override { return mtu_; }
    bool link_up() const override { return link_up_; }
    std::size_t receive(PacketBatch& batch) override;
    std::size_t send(PacketBatch& batch) override;
    const char* name() const override { return name_.data(); }
    Result<void> start(PacketPool& pool) override;
    bool rx_pending() const override { return rx_->ready(); }

    const XskRxStats& rx_stats() const { return rx_->stats(); }
    const XdpNicStats& tx_stats() const { return stats_; }
    int xdp_program_fd() const { return redirect_->program_fd(); } // for tests

private:
    XdpNic() = default;
    void refresh_link();
    void kick();
    void report_kernel_drops();

    int fd_ = -1;
    std::string interface_;
    std::array<char, 32> name_{};
    MacAddress mac_{};
    std::uint16_t mtu_ = 1500;
    bool link_up_ = true;
    void* umem_ = nullptr;
    std::size_t umem_bytes_ = 0;
    std::array<std::pair<void*, std::size_t>, 4> rings_{}; // mappings: receive, transmit, fill, completion
    std::optional<XskRxRing> rx_;
    std::optional<XskTxRing> tx_;
    std::optional<XdpRedirect> redirect_;
    PacketPool* pool_ = nullptr;
    XdpNicStats stats_;
    xdp_statistics reported_{}; // the kernel's counters at the last report
};

} // namespace os::linux_nic
