// TCP for a host that runs no TCP endpoint: every segment that reaches this stack is for a connection in the
// CLOSED state, and RFC 9293 3.10.7.1 answers it with a reset, so that a client's connect() is refused at
// once (instead of an ICMP protocol unreachable, which TCP takes for a hard error of another kind). A reset
// is never answered, and, as for ICMP errors, nothing is answered to a broadcast or a source that is not one
// host.
#include "net/stack.hpp"
#include "net/tcp_reset.hpp"

namespace net {

std::optional<TcpReset> tcp_reset_for(const wire::Ipv4View& segment) {
    if (segment.protocol() != wire::ip_proto::tcp || segment.fragment_offset() != 0) return std::nullopt;
    auto tcp = wire::TcpView::parse(segment.payload());
    if (!tcp || (tcp->flags() & wire::tcp_flag::rst) != 0) return std::nullopt;
    TcpReset r;
    r.ip.src = segment.dst();
    r.ip.dst = segment.src();
    r.ip.protocol = wire::ip_proto::tcp;
    r.tcp.src_port = tcp->dst_port();
    r.tcp.dst_port = tcp->src_port();
    const std::uint8_t flags = tcp->flags();
    if ((flags & wire::tcp_flag::ack) != 0) {
        r.tcp.seq = tcp->ack();
        r.tcp.flags = wire::tcp_flag::rst;
    } else {
        const std::size_t ip_data = segment.total_length() - segment.header_len();
        const std::size_t data = ip_data > tcp->header_len() ? ip_data - tcp->header_len() : 0;
        const std::uint32_t length = static_cast<std::uint32_t>(data) +
                                     ((flags & wire::tcp_flag::syn) ? 1u : 0u) +
                                     ((flags & wire::tcp_flag::fin) ? 1u : 0u);
        r.tcp.seq = 0;
        r.tcp.ack = tcp->seq() + length;
        r.tcp.flags = wire::tcp_flag::rst | wire::tcp_flag::ack;
    }
    return r;
}

void Stack::tcp_input(Interface& in, PacketPtr segment, const wire::Ipv4View& ip, bool l2_broadcast) {
    if (!transport_header<wire::TcpView>(in, *segment, ip, wire::TcpView::min_header_len)) return;
    drop(&in, DropReason::NoSocket);
    const auto reset = tcp_reset_for(ip);
    if (!reset || !may_answer(ip, l2_broadcast)) return;
    auto route = route_to(reset->ip.dst);
    if (route.is_error()) return;
    RouteDecision decision = route.value();
    decision.source = reset->ip.src; // from the address the segment was sent to
    PacketPtr p = pool_.allocate();
    if (!p) return drop(decision.interface, DropReason::PoolExhausted);
    if (!p->append(wire::TcpView::min_header_len)) return drop(decision.interface, DropReason::NoHeadroom);
    (void)reset->tcp.emit(p->data(), reset->ip.src, reset->ip.dst);
    wire::Ipv4Repr out = reset->ip;
    out.ttl = config_.default_ttl;
    if (send_ipv4(std::move(p), out, decision)) counters_.tcp_resets_sent += 1;
}

} // namespace net
