// The abstract NIC the stack is written against: virtio-net, TAP/AF_PACKET and the test fakes implement it.
//
// Self-contained on purpose (only packet_buffer.hpp): the drivers in os/ implement it, and this file may move
// down into os/ as it is.
#pragma once

#include "net/packet_buffer.hpp"

#include <array>
#include <cstddef>
#include <cstdint>

namespace net {

struct MacAddress {
    std::array<std::uint8_t, 6> octets{};

    static constexpr MacAddress broadcast() { return {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
    constexpr bool is_broadcast() const { return *this == broadcast(); }
    // IEEE 802: the I/G bit (least significant bit of the first octet) marks group addresses.
    constexpr bool is_multicast() const { return (octets[0] & 0x01) != 0; }
    constexpr bool is_zero() const { return *this == MacAddress{}; }
    friend constexpr bool operator==(const MacAddress&, const MacAddress&) = default;
};

class Nic {
public:
    virtual ~Nic() = default;

    virtual MacAddress mac() const = 0;
    // Largest IP packet the link carries (without the Ethernet header), e.g. 1500.
    virtual std::uint16_t mtu() const = 0;
    virtual bool link_up() const = 0;

    // Appends up to batch.free_space() received frames (each starting at its Ethernet header) to `batch`
    // and returns how many it appended. Never blocks.
    virtual std::size_t receive(PacketBatch& batch) = 0;
    // Takes frames from the front of `batch` (each starting at its Ethernet header) and queues them for
    // transmission; returns how many it took. Those are removed from the batch; the rest stay there (the
    // device queue is full). The device owns taken buffers and releases them when they are on the wire.
    virtual std::size_t send(PacketBatch& batch) = 0;
};

} // namespace net
