// What a linux-platform NIC asks Linux about the interface it is bound to, by name, with ioctls on an
// ordinary datagram socket (tun and AF_XDP descriptors answer none of them), and the MTU its frames allow.
#pragma once

#include <halite/os/nic.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace os::linux_nic {

// The interface's hardware address; nullopt (errno set) when it cannot be read.
std::optional<MacAddress> interface_mac(const std::string& interface);
// The interface's MTU when Linux reports a usable one (68..65535).
std::optional<std::uint16_t> interface_mtu(const std::string& interface);
// Receive queues the interface has in use: its channels (ethtool -l: receive-only plus combined); 1 when the
// driver does not say.
unsigned interface_rx_queues(const std::string& interface);
// Whether the interface is up and running (IFF_UP and IFF_RUNNING); nullopt when its flags cannot be read.
std::optional<bool> interface_running(const std::string& interface);
// `mtu`, lowered so that a frame of it (plus the Ethernet header and an 802.1Q tag: 18 bytes) fits
// `frame_room` bytes.
std::uint16_t mtu_within(std::uint16_t mtu, std::size_t frame_room);

} // namespace os::linux_nic
