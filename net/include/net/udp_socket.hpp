// UDP sockets with an event API: a datagram arriving during Stack::poll() calls the socket's handler with a
// view of the payload (valid only during the call); sending copies the payload into one packet buffer.
#pragma once

#include "net/inplace_function.hpp"
#include "net/ipv4_address.hpp"
#include "net/result.hpp"

#include <cstdint>
#include <span>

namespace net {

class Interface;
class Stack;

struct UdpEndpoint {
    Ipv4Address address;
    std::uint16_t port = 0;
    friend bool operator==(const UdpEndpoint&, const UdpEndpoint&) = default;
};

struct UdpDatagram {
    UdpEndpoint source;
    UdpEndpoint destination;
    const Interface* interface = nullptr;
    std::span<const std::byte> payload;
};

class UdpSocket {
public:
    using ReceiveHandler = InplaceFunction<void(const UdpDatagram&)>;

    explicit UdpSocket(Stack& stack) : stack_(stack) {}
    ~UdpSocket() { close(); }
    UdpSocket(const UdpSocket&) = delete;
    UdpSocket& operator=(const UdpSocket&) = delete;

    // Port 0 picks an ephemeral port (RFC 6335 range 49152-65535). `address` unspecified: any local address.
    ErrorOr<void> bind(std::uint16_t port, Ipv4Address address = {});
    void close();
    bool is_bound() const { return port_ != 0; }
    UdpEndpoint local() const { return {address_, port_}; }

    void on_receive(ReceiveHandler handler) { handler_ = std::move(handler); }

    // Routed by destination. Errors: NotConfigured (not bound), NoRoute, NoBuffers, MessageTooLong, Filtered.
    // A packet waiting for ARP counts as sent.
    ErrorOr<void> send_to(UdpEndpoint destination, std::span<const std::byte> payload);
    // Out of `via` regardless of routes: for the limited broadcast (255.255.255.255) or a directly
    // connected neighbour.
    ErrorOr<void> send_to(UdpEndpoint destination, std::span<const std::byte> payload, Interface& via);

    std::uint64_t received() const { return received_; }
    std::uint64_t sent() const { return sent_; }

private:
    friend class Stack;
    ErrorOr<void> send(UdpEndpoint destination, std::span<const std::byte> payload, Interface* via);

    Stack& stack_;
    Ipv4Address address_;
    std::uint16_t port_ = 0;
    ReceiveHandler handler_;
    std::uint64_t received_ = 0;
    std::uint64_t sent_ = 0;
};

} // namespace net
