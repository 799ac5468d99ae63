// The device contract between NIC drivers and the network stack: virtio-net (os/drivers/virtio_net) on the
// image, TAP and AF_PACKET (os/platform/linux) on the linux platform, and the test fakes implement it; net/
// is written against it (and re-exports it as net::Nic).
//
// The platform glue (net/platform) hands every NIC the shared PacketPool with start(), then drives them from
// the event loop: it polls while rx_pending(), and before the loop may halt it calls enable_rx_wakeup() so
// the next frame raises an interrupt (or wakes epoll) instead of being noticed late.
#pragma once

#include <halite/os/packet_buffer.hpp>
#include <halite/os/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace os {

struct MacAddress {
    std::array<std::uint8_t, 6> octets{};

    static constexpr MacAddress broadcast() { return {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
    constexpr bool is_broadcast() const { return *this == broadcast(); }
    // IEEE 802: the I/G bit (least significant bit of the first octet) marks group addresses.
    constexpr bool is_multicast() const { return (octets[0] & 0x01) != 0; }
    constexpr bool is_zero() const { return *this == MacAddress{}; }
    friend constexpr bool operator==(const MacAddress&, const MacAddress&) = default;

    // "c0:01:0a:00:00:2a", hex digits of either case; nullopt for anything else. Any address, group and
    // zero included: what a caller accepts is its own policy.
    static constexpr std::optional<MacAddress> parse(std::string_view text) {
        if (text.size() != 17) return std::nullopt;
        MacAddress mac;
        for (std::size_t i = 0; i < 6; ++i) {
            const int hi = hex_digit(text[i * 3]);
            const int lo = hex_digit(text[i * 3 + 1]);
            if (hi < 0 || lo < 0 || (i < 5 && text[i * 3 + 2] != ':')) return std::nullopt;
            mac.octets[i] = static_cast<std::uint8_t>(hi * 16 + lo);
        }
        return mac;
    }

private:
    static constexpr int hex_digit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
};

class Nic {
public:
    virtual ~Nic() = default;

    // The address, and the MTU once start() has returned (it may lower it to fit the pool's buffers), stay
    // as they are for the NIC's life: the stack, given started NICs, reads them once.
    virtual MacAddress mac() const = 0;
    // Largest IP packet the link carries (without the Ethernet header), e.g. 1500.
    virtual std::uint16_t mtu() const = 0;
    // May change at any time; the stack reads it at each poll.
    virtual bool link_up() const = 0;

    // Appends up to batch.free_space() received frames (each starting at its Ethernet header) to `batch`
    // and returns how many it appended. Never blocks.
    virtual std::size_t receive(PacketBatch& batch) = 0;
    // Takes frames from the front of `batch` (each starting at its Ethernet header) and queues them for
    // transmission; returns how many it took. Those are removed from the batch; the rest stay there (the
    // device queue is full). The device owns taken buffers and releases them when they are on the wire.
    virtual std::size_t send(PacketBatch& batch) = 0;

    // --- For the platform glue; the stack itself does not use these. ---

    // A short name for console lines ("virtio-net0", "tap:tap0").
    virtual const char* name() const { return "nic"; }
    // Gives the NIC the pool its receive buffers come from and starts reception. Called once, before the
    // first receive(); a NIC built with its pool (the test fakes) has nothing to do.
    virtual Result<void> start(PacketPool&) { return {}; }
    // Caps the receive buffers this NIC holds from the pool at once (posted to the device, not yet
    // received), so one NIC cannot take the whole shared pool. A NIC that holds none between receive() calls
    // (TAP and AF_PACKET: the kernel buffers for them) has nothing to cap. invalid_argument for 0.
    virtual Result<void> set_rx_buffer_limit(std::size_t limit) {
        if (limit == 0) return Error{Errc::invalid_argument, "a NIC needs at least one receive buffer"};
        return {};
    }
    // True when received frames are waiting (cheap: no device access).
    virtual bool rx_pending() const { return false; }
    // Asks for a wake-up (interrupt, readable fd) when the next frame arrives; returns rx_pending() as seen
    // after the request, so a frame that arrived meanwhile is not missed: on true, poll instead of sleeping.
    virtual bool enable_rx_wakeup() { return rx_pending(); }
};

// The NICs of this machine, in NIC order: PCI slot order on pc/q35, QEMU's -device order on microvm, the
// order of the --nic options on linux. Drivers are set up on the first call.
std::span<Nic* const> nics();

} // namespace os
