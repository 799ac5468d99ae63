// A NIC over AF_XDP sockets on a Linux interface (`--nic xdp:IFNAME`), one per receive queue: an XDP program
// on the interface redirects each queue's frames to that queue's socket before the kernel's stack sees them
// (no socket buffer on the receive path of a native-XDP driver such as veth), and frames leave through queue
// 0's sending socket's transmit ring (a second socket on that queue, see xsk_socket.hpp), which the kernel
// drains on a send(). Copy mode: each frame is copied once each way between the UMEM and a pool buffer, as
// with AF_PACKET (zero-copy needs driver support veth lacks, and the appliance's buffers are the pool's).
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
#include "xsk_socket.hpp"

#include <halite/os/nic.hpp>
#include <halite/os/timers.hpp>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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
    // Takes from every queue's socket in turn, starting after the one that came first last time.
    std::size_t receive(PacketBatch& batch) override;
    // Sends through queue 0's sending socket.
    std::size_t send(PacketBatch& batch) override;
    const char* name() const override { return name_.data(); }
    Result<void> start(PacketPool& pool) override;
    bool rx_pending() const override;

    std::size_t queues() const { return sockets_.size(); }
    XskRxStats rx_stats() const;
    const XdpNicStats& tx_stats() const { return stats_; }
    int xdp_program_fd() const { return redirect_->program_fd(); } // for tests

private:
    XdpNic() = default;
    void refresh_link();
    void kick(); // has the kernel send what queue 0's transmit ring holds (no call when it is empty)
    void report_kernel_drops();

    std::string interface_;
    std::array<char, 32> name_{};
    MacAddress mac_{};
    std::uint16_t mtu_ = 1500;
    bool link_up_ = true;
    std::vector<std::unique_ptr<XskSocket>> sockets_; // one per receive queue, in queue order
    std::size_t next_queue_ = 0;
    std::optional<XdpRedirect> redirect_;
    PacketPool* pool_ = nullptr;
    timers::Id timer_ = timers::Id::none; // link state and drop reports, every second
    XdpNicStats stats_;
};

} // namespace os::linux_nic
