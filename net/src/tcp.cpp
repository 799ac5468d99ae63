// TCP for a host that runs no TCP endpoint: every segment that reaches this stack is for a connection in the
// CLOSED state, and RFC 9293 3.10.7.1 answers it with a reset, so that a client's connect() is refused at
// once (instead of an ICMP protocol unreachable, which TCP takes for a hard error of another kind). A reset
// is never answered, and, as for ICMP errors, nothing is answered to a broadcast or a source that is not one
// host.
#include "net/wire/tcp.hpp"
#include "net/stack.hpp"

namespace net {

void Stack::tcp_input(Interface& in, PacketPtr segment, const wire::Ipv4View& ip, bool l2_broadcast) {
    auto tcp = wire::TcpView::parse(ip.payload());
    if (!tcp) {
        return drop(&in, ip.payload().size() < wire::TcpView::min_header_len ? DropReason::Truncated
                                                                             : DropReason::BadLength);
    }
    if (!segment->checksum_verified() && !tcp->verify_checksum(ip.src(), ip.dst()))
        return drop(&in, DropReason::BadChecksum);
    drop(&in, DropReason::NoSocket);
    const std::uint8_t flags = tcp->flags();
    if ((flags & wire::tcp_flag::rst) != 0 || !may_answer(ip, l2_broadcast)) return;

    // RFC 9293 3.10.7.1: if the segment has no ACK, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (SYN and FIN
    // count in SEG.LEN); otherwise <SEQ=SEG.ACK><CTL=RST>.
    wire::TcpRepr reset;
    reset.src_port = tcp->dst_port();
    reset.dst_port = tcp->src_port();
    if ((flags & wire::tcp_flag::ack) != 0) {
        reset.seq = tcp->ack();
        reset.flags = wire::tcp_flag::rst;
    } else {
        const auto length = static_cast<std::uint32_t>(tcp->payload().size()) +
                            ((flags & wire::tcp_flag::syn) != 0) + ((flags & wire::tcp_flag::fin) != 0);
        reset.ack = tcp->seq() + length;
        reset.flags = wire::tcp_flag::rst | wire::tcp_flag::ack;
    }
    auto route = route_to(ip.src());
    if (route.is_error()) return;
    RouteDecision decision = route.value();
    decision.source = ip.dst(); // from the address the segment was sent to
    PacketPtr p = pool_.allocate();
    if (!p) return drop(decision.interface, DropReason::PoolExhausted);
    if (!p->append(wire::TcpView::min_header_len)) return drop(decision.interface, DropReason::NoHeadroom);
    (void)reset.emit(p->data(), decision.source, ip.src());
    wire::Ipv4Repr out;
    out.src = decision.source;
    out.dst = ip.src();
    out.protocol = wire::ip_proto::tcp;
    out.ttl = config_.default_ttl;
    if (send_ipv4(std::move(p), out, decision)) counters_.tcp_resets_sent += 1;
}

} // namespace net
