#include "appliance/conntrack/tcp_state.hpp"

namespace appliance::conntrack {

namespace {

constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, ack = 0x10;

enum class Kind : std::uint8_t { Syn, SynAck, Fin, Ack, Rst, Bad };

// RFC 9293 3.1/3.10: the control-flag combinations a conforming end sends. SYN with FIN or RST, no flags
// at all, and FIN without ACK (every segment after the SYN carries ACK, 3.10.7.4) are not among them.
Kind kind_of(std::uint8_t flags) {
    const std::uint8_t f = flags & (fin | syn | rst | ack);
    if (f & rst) return (f & (syn | fin)) ? Kind::Bad : Kind::Rst;
    if (f & syn) {
        if (f & fin) return Kind::Bad;
        return (f & ack) ? Kind::SynAck : Kind::Syn;
    }
    if (f & fin) return (f & ack) ? Kind::Fin : Kind::Bad;
    return (f & ack) ? Kind::Ack : Kind::Bad;
}

void open(Entry& e, const TcpSegment& s) {
    e.tcp = TcpState::SynSent;
    e.tcp_isn = s.seq;
    e.fin_seen = 0;
}

} // namespace

bool tcp_may_open(std::uint8_t flags, bool stateful) {
    const Kind k = kind_of(flags);
    return stateful ? k == Kind::Syn : (k != Kind::Rst && k != Kind::Bad);
}

TcpState tcp_opening_state(std::uint8_t flags) {
    return kind_of(flags) == Kind::Syn ? TcpState::SynSent : TcpState::Established;
}

TcpStep tcp_step(Entry& e, Dir dir, const TcpSegment& s, bool stateful) {
    const Kind k = kind_of(s.flags);
    const bool original = dir == Dir::Original;
    TcpStep step;
    auto out = [&] {
        step.in_state = !stateful;
        return step;
    };
    auto to = [&](TcpState next) {
        e.tcp = next;
        return step;
    };
    auto on_fin = [&] {
        e.fin_seen |= static_cast<std::uint8_t>(1u << index_of(dir));
        return to((e.fin_seen >> index_of(opposite(dir)) & 1u) != 0 ? TcpState::LastAck : TcpState::FinWait);
    };
    if (k == Kind::Bad) return out();

    switch (e.tcp) {
    case TcpState::None:
        return out();
    case TcpState::SynSent:
        if (k == Kind::Syn && original) {
            e.tcp_isn = s.seq; // a retransmission, or the client chose a new ISN
            return step;
        }
        // RFC 9293 3.10.7.3: in SYN-SENT, an acceptable SYN-ACK acknowledges the SYN (SND.UNA < SEG.ACK <=
        // SND.NXT, i.e. ISN + 1 here); so must a RST that carries an ACK.
        if (k == Kind::SynAck && !original) return s.ack == e.tcp_isn + 1 ? to(TcpState::SynReceived) : out();
        if (k == Kind::Syn && !original) return to(TcpState::SynReceived); // simultaneous open (3.5, fig. 7)
        if (k == Kind::Rst) {
            if (!original && (s.flags & ack) && s.ack != e.tcp_isn + 1) return out();
            return to(TcpState::Closed);
        }
        return out();
    case TcpState::SynReceived:
        if (k == Kind::Ack && original) return to(TcpState::Established);
        if ((k == Kind::Syn && original) || k == Kind::SynAck) return step; // retransmissions
        if (k == Kind::Ack) return step;                                    // simultaneous open's ACKs
        if (k == Kind::Fin) return on_fin();
        if (k == Kind::Rst) return to(TcpState::Closed);
        return out();
    case TcpState::Established:
        if (k == Kind::Ack) return step;
        // The responder repeats its SYN-ACK when the handshake's last ACK was lost.
        if (k == Kind::SynAck && !original) return step;
        if (k == Kind::Fin) return on_fin();
        if (k == Kind::Rst) return to(TcpState::Closed);
        return out();
    case TcpState::FinWait:
    case TcpState::LastAck:
        if (k == Kind::Fin) return on_fin();
        if (k == Kind::Ack) return e.tcp == TcpState::LastAck ? to(TcpState::TimeWait) : step;
        if (k == Kind::Rst) return to(TcpState::Closed);
        return out();
    case TcpState::TimeWait:
    case TcpState::Closed:
        // RFC 9293 3.6.1: a new SYN may reuse the pair of sockets of a connection in TIME-WAIT.
        if (k == Kind::Syn && original) {
            open(e, s);
            step.reopened = true;
            return step;
        }
        if (e.tcp == TcpState::TimeWait && (k == Kind::Ack || k == Kind::Fin)) return step; // retransmissions
        if (k == Kind::Rst) return to(TcpState::Closed);
        return out();
    }
    return out();
}

} // namespace appliance::conntrack
