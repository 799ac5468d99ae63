// UDP (RFC 768): the socket table, input demultiplexing (and the DHCP client's port), output.
#include "net/wire/udp.hpp"
#include "net/stack.hpp"
#include "net/wire/dhcp.hpp"
#include "net/wire/icmp.hpp"

#include <cstring>

namespace net {

ErrorOr<void> UdpSocket::bind(std::uint16_t port, Ipv4Address address) {
    return stack_.udp_bind(*this, port, address);
}

void UdpSocket::close() {
    if (port_ != 0) stack_.udp_unbind(*this);
}

ErrorOr<void> UdpSocket::send_to(UdpEndpoint destination, std::span<const std::byte> payload) {
    return stack_.udp_send(*this, destination, payload, nullptr);
}

ErrorOr<void> UdpSocket::send_to(UdpEndpoint destination, std::span<const std::byte> payload,
                                 Interface& via) {
    return stack_.udp_send(*this, destination, payload, &via);
}

ErrorOr<void> Stack::udp_bind(UdpSocket& socket, std::uint16_t port, Ipv4Address address) {
    if (socket.port_ != 0) return Error::InvalidArgument;
    auto in_use = [&](std::uint16_t p) {
        for (UdpSocket* s : udp_sockets_) {
            if (s != nullptr && s->port_ == p) return true;
        }
        return false;
    };
    if (port == 0) {
        // RFC 6335 6: ephemeral ports 49152-65535.
        for (int tries = 0; tries < 16384 && port == 0; ++tries) {
            const std::uint16_t candidate = next_ephemeral_;
            next_ephemeral_ =
                next_ephemeral_ == 65535 ? 49152 : static_cast<std::uint16_t>(next_ephemeral_ + 1);
            if (!in_use(candidate)) port = candidate;
        }
        if (port == 0) return Error::AddressInUse;
    }
    UdpSocket** slot = nullptr;
    for (auto*& s : udp_sockets_) {
        if (s == nullptr) {
            if (slot == nullptr) slot = &s;
            continue;
        }
        if (s->port_ == port &&
            (s->address_ == address || s->address_.is_unspecified() || address.is_unspecified()))
            return Error::AddressInUse;
    }
    if (slot == nullptr) return Error::TableFull;
    *slot = &socket;
    socket.port_ = port;
    socket.address_ = address;
    return {};
}

void Stack::udp_unbind(UdpSocket& socket) {
    for (auto*& s : udp_sockets_) {
        if (s == &socket) s = nullptr;
    }
    socket.port_ = 0;
}

UdpSocket* Stack::udp_lookup(std::uint16_t port, Ipv4Address dst) const {
    UdpSocket* wildcard = nullptr;
    for (UdpSocket* s : udp_sockets_) {
        if (s == nullptr || s->port_ != port) continue;
        if (s->address_ == dst) return s;
        if (s->address_.is_unspecified()) wildcard = s;
    }
    return wildcard;
}

// `datagram` owns the bytes `ip` views; it is released when the handler has returned.
void Stack::udp_input(Interface& in, PacketPtr datagram, const wire::Ipv4View& ip, bool l2_broadcast) {
    const auto udp = transport_header<wire::UdpView>(in, *datagram, ip, wire::UdpView::header_len);
    if (!udp) return;

    if (udp->dst_port() == wire::dhcp_port::client && in.dhcp_ && in.dhcp_->accepting()) {
        auto view = wire::DhcpView::parse(udp->payload());
        auto msg = view ? wire::DhcpRepr::parse(*view) : std::nullopt;
        if (!msg) return drop(&in, DropReason::Truncated);
        counters_.delivered += 1;
        return in.apply_dhcp(in.dhcp_->on_message(*msg, now_));
    }
    UdpSocket* socket = udp_lookup(udp->dst_port(), ip.dst());
    if (socket == nullptr) {
        // RFC 1122 4.1.3.1: port unreachable when no one listens.
        icmp_error(ip, l2_broadcast, wire::icmp_type::dest_unreachable, wire::unreachable_code::port);
        return drop(&in, DropReason::NoSocket);
    }
    counters_.delivered += 1;
    socket->received_ += 1;
    if (socket->handler_) {
        socket->handler_(
            UdpDatagram{{ip.src(), udp->src_port()}, {ip.dst(), udp->dst_port()}, &in, udp->payload()});
    }
}

ErrorOr<void> Stack::udp_send(UdpSocket& socket, UdpEndpoint dst, std::span<const std::byte> payload,
                              Interface* via) {
    if (socket.port_ == 0) return Error::NotConfigured;
    auto route = route_to(dst.address, via);
    if (route.is_error()) return route.error();
    RouteDecision decision = route.value();
    if (!socket.address_.is_unspecified()) decision.source = socket.address_;

    PacketPtr p = pool_.allocate();
    if (!p) return Error::NoBuffers;
    if (!p->append(wire::UdpView::header_len + payload.size())) return Error::MessageTooLong;
    if (!payload.empty())
        std::memcpy(p->data().data() + wire::UdpView::header_len, payload.data(), payload.size());
    if (!wire::UdpRepr{socket.port_, dst.port}.emit(p->data(), decision.source, dst.address))
        return Error::MessageTooLong;
    wire::Ipv4Repr ip;
    ip.src = decision.source;
    ip.dst = dst.address;
    ip.protocol = wire::ip_proto::udp;
    ip.ttl = config_.default_ttl;
    NET_TRY(send_ipv4(std::move(p), ip, decision));
    socket.sent_ += 1;
    return {};
}

void Stack::dhcp_send(Interface& out, const wire::DhcpRepr& message, Ipv4Address dst) {
    auto route = route_to(dst, &out);
    if (route.is_error()) return drop(&out, DropReason::NoRoute);
    PacketPtr p = pool_.allocate();
    if (!p) return drop(&out, DropReason::PoolExhausted);
    if (!p->append(wire::UdpView::header_len + wire::DhcpRepr::max_emit_len))
        return drop(&out, DropReason::NoHeadroom);
    const std::size_t len = message.emit(p->data().subspan(wire::UdpView::header_len));
    (void)p->truncate(wire::UdpView::header_len + len);
    const RouteDecision& d = route.value();
    (void)wire::UdpRepr{wire::dhcp_port::client, wire::dhcp_port::server}.emit(p->data(), d.source, dst);
    wire::Ipv4Repr ip;
    ip.src = d.source; // 0.0.0.0 before a lease (RFC 2131 4.1)
    ip.dst = dst;
    ip.protocol = wire::ip_proto::udp;
    ip.ttl = config_.default_ttl;
    (void)send_ipv4(std::move(p), ip, d);
}

} // namespace net
