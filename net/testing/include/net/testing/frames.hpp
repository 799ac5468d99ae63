// Frame builders for tests and fuzz seeds: plain byte vectors built with the wire reprs.
#pragma once

#include "net/ipv4_address.hpp"
#include "net/nic.hpp"
#include "net/wire/arp.hpp"
#include "net/wire/ipv4.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace net::testing {

using Bytes = std::vector<std::byte>;

Bytes bytes_of(std::initializer_list<int> values);
Bytes ethernet(MacAddress dst, MacAddress src, std::uint16_t ethertype, std::span<const std::byte> payload);
Bytes vlan_ethernet(MacAddress dst, MacAddress src, std::uint16_t vlan_id, std::uint16_t ethertype,
                    std::span<const std::byte> payload);
// An IPv4 datagram with a valid header checksum; payload_len in `ip` is overwritten.
Bytes ipv4(wire::Ipv4Repr ip, std::span<const std::byte> payload);
// A UDP datagram (header and payload) with its checksum.
Bytes udp(Ipv4Address src, Ipv4Address dst, std::uint16_t src_port, std::uint16_t dst_port,
          std::span<const std::byte> payload);
// An ICMP message with its checksum.
Bytes icmp(std::uint8_t type, std::uint8_t code, std::uint32_t rest, std::span<const std::byte> data);
Bytes arp(const wire::ArpRepr& repr);

// Convenience: Ethernet + IPv4 + UDP, and Ethernet + IPv4 + ICMP echo request.
Bytes udp_frame(MacAddress dst_mac, MacAddress src_mac, Ipv4Address src, Ipv4Address dst,
                std::uint16_t src_port, std::uint16_t dst_port, std::span<const std::byte> payload,
                std::uint8_t ttl = 64);
Bytes echo_frame(MacAddress dst_mac, MacAddress src_mac, Ipv4Address src, Ipv4Address dst, std::uint16_t id,
                 std::uint16_t seq, std::uint8_t ttl = 64);

} // namespace net::testing
