#include "appliance/responses.hpp"

#include "net/wire/icmp.hpp"

#include <algorithm>
#include <cstring>

namespace appliance {

namespace {
constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, ack = 0x10;
} // namespace

bool may_answer(const net::wire::Ipv4View& ip, const net::Stack& stack) {
    const net::Ipv4Address src = ip.src(), dst = ip.dst();
    if (dst.is_broadcast() || dst.is_multicast()) return false;
    if (src.is_unspecified() || src.is_broadcast() || src.is_multicast() || src.is_loopback() ||
        src.is_class_e())
        return false;
    if (ip.fragment_offset() != 0 || stack.is_local_address(src)) return false;
    for (const net::Interface* i : stack.interfaces()) {
        if (i->is_configured() && i->cidr().prefix_len < 31 && dst == i->cidr().directed_broadcast())
            return false;
    }
    return true;
}

std::optional<ResetSegment> reset_for(const net::wire::Ipv4View& segment) {
    if (segment.protocol() != net::wire::ip_proto::tcp || segment.fragment_offset() != 0) return std::nullopt;
    auto tcp = net::wire::TcpView::parse(segment.payload());
    if (!tcp || (tcp->flags() & rst) != 0) return std::nullopt;
    ResetSegment r;
    r.ip.src = segment.dst();
    r.ip.dst = segment.src();
    r.ip.protocol = net::wire::ip_proto::tcp;
    r.tcp.src_port = tcp->dst_port();
    r.tcp.dst_port = tcp->src_port();
    if (tcp->flags() & ack) {
        r.tcp.seq = tcp->ack();
        r.tcp.flags = rst;
    } else {
        // A segment cut short by fragmentation still says how long it is: the IP total length.
        const std::size_t ip_data = segment.total_length() - segment.header_len();
        const std::size_t data = ip_data > tcp->header_len() ? ip_data - tcp->header_len() : 0;
        const std::uint32_t len = static_cast<std::uint32_t>(data) + ((tcp->flags() & syn) ? 1u : 0u) +
                                  ((tcp->flags() & fin) ? 1u : 0u);
        r.tcp.seq = 0;
        r.tcp.ack = tcp->seq() + len;
        r.tcp.flags = rst | ack;
    }
    return r;
}

bool Responder::allowed() {
    if (limiter_.allow(stack_.now())) return true;
    ++counters_.rate_limited;
    return false;
}

bool Responder::send_reset(const net::wire::Ipv4View& segment) {
    const auto reset = reset_for(segment);
    if (!reset || !may_answer(segment, stack_)) {
        ++counters_.not_sent;
        return false;
    }
    if (!allowed()) return false;
    auto route = stack_.route_to(reset->ip.dst);
    net::PacketPtr p = stack_.pool().allocate();
    if (route.is_error() || !p || !p->append(net::wire::TcpView::min_header_len) ||
        !reset->tcp.emit(p->data(), reset->ip.src, reset->ip.dst)) {
        ++counters_.not_sent;
        return false;
    }
    net::wire::Ipv4Repr ip = reset->ip;
    ip.ttl = stack_.config().default_ttl;
    if (!stack_.send_ipv4(std::move(p), ip, route.value())) {
        ++counters_.not_sent;
        return false;
    }
    ++counters_.resets;
    return true;
}

bool Responder::send_fragmentation_needed(const net::wire::Ipv4View& datagram, std::uint16_t mtu) {
    const std::span<std::byte> payload = datagram.payload();
    const bool about_error = datagram.protocol() == net::wire::ip_proto::icmp &&
                             (payload.empty() || net::wire::icmp_type::is_error(net::wire::get8(payload, 0)));
    if (about_error || !may_answer(datagram, stack_)) {
        ++counters_.not_sent;
        return false;
    }
    if (!allowed()) return false;
    auto route = stack_.route_to(datagram.src());
    net::PacketPtr p = stack_.pool().allocate();
    const std::size_t quoted = datagram.header_len() + std::min<std::size_t>(8, payload.size());
    if (route.is_error() || !p || !p->append(net::wire::IcmpView::header_len + quoted)) {
        ++counters_.not_sent;
        return false;
    }
    std::memcpy(p->data().data() + net::wire::IcmpView::header_len, datagram.bytes().data(), quoted);
    (void)net::wire::IcmpRepr{net::wire::icmp_type::dest_unreachable,
                              net::wire::unreachable_code::fragmentation_needed, mtu}
        .emit(p->data());
    net::wire::Ipv4Repr ip;
    ip.dst = datagram.src();
    ip.protocol = net::wire::ip_proto::icmp;
    ip.ttl = stack_.config().default_ttl;
    if (!stack_.send_ipv4(std::move(p), ip, route.value())) {
        ++counters_.not_sent;
        return false;
    }
    ++counters_.fragmentation_needed;
    return true;
}

} // namespace appliance
