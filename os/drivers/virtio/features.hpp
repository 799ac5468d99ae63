// virtio feature bits (virtio 1.2, 5.1.3 for the network device, 6 for the reserved ones) and what the
// virtio-net driver accepts of what a device offers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace os::virtio {

namespace feature {
// Network device (5.1.3).
inline constexpr unsigned net_csum = 0;       // the device checksums partial packets we send
inline constexpr unsigned net_guest_csum = 1; // the device may give us partial packets (NEEDS_CSUM)
inline constexpr unsigned net_mtu = 3;        // config holds the MTU
inline constexpr unsigned net_mac = 5;        // config holds the MAC address
inline constexpr unsigned net_guest_tso4 = 7;
inline constexpr unsigned net_mrg_rxbuf = 15; // a packet may span receive buffers (num_buffers)
inline constexpr unsigned net_status = 16;    // config holds the link status
inline constexpr unsigned net_ctrl_vq = 17;
inline constexpr unsigned net_mq = 22;
// Reserved (6).
inline constexpr unsigned notify_on_empty = 24;
inline constexpr unsigned any_layout = 27; // legacy: header and data may share a descriptor
inline constexpr unsigned indirect_desc = 28;
inline constexpr unsigned event_idx = 29; // used_event / avail_event notification suppression
inline constexpr unsigned version_1 = 32; // a virtio 1.x (modern) device
inline constexpr unsigned access_platform = 33;
inline constexpr unsigned ring_packed = 34;
} // namespace feature

constexpr std::uint64_t bit(unsigned b) {
    return std::uint64_t{1} << b;
}
constexpr bool has(std::uint64_t features, unsigned b) {
    return (features & bit(b)) != 0;
}

// What the virtio-net driver asks for: MAC, STATUS, MTU, MRG_RXBUF, CSUM, GUEST_CSUM, EVENT_IDX; VERSION_1
// and ACCESS_PLATFORM on a modern transport (the image is identity-mapped, so bus addresses are physical
// either way), ANY_LAYOUT on a legacy one.
struct NetNegotiation {
    std::uint64_t accepted = 0;
    // Why the device cannot be driven (nullptr when it can): the console line says so.
    const char* unsupported = nullptr;
};
NetNegotiation negotiate_net(std::uint64_t offered, bool modern);

// Bytes of struct virtio_net_hdr in front of every packet (5.1.6): 12 on a modern device, 10 on a legacy
// one unless MRG_RXBUF adds num_buffers (5.1.6.1 legacy note).
constexpr std::size_t net_header_length(std::uint64_t accepted, bool modern) {
    return modern || has(accepted, feature::net_mrg_rxbuf) ? 12 : 10;
}

// "MAC STATUS EVENT_IDX ..." for the console, truncated to `out`; returns the length written.
std::size_t format_features(std::uint64_t features, std::span<char> out);

} // namespace os::virtio
