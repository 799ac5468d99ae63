#include "appliance/conntrack/tracker.hpp"

#include "appliance/conntrack/tcp_state.hpp"

namespace appliance::conntrack {

namespace {

constexpr std::uint8_t proto_tcp = 6, proto_udp = 17;

TimeoutClass by_protocol(std::uint8_t protocol, TimeoutClass tcp, TimeoutClass udp, TimeoutClass icmp) {
    return protocol == proto_tcp ? tcp : protocol == proto_udp ? udp : icmp;
}

} // namespace

TimeoutClass Tracker::class_of(const Entry& e) const {
    const std::uint8_t p = e.tuple[0].protocol;
    if (e.lifecycle == Lifecycle::Unconfirmed)
        return by_protocol(p, TimeoutClass::UnconfirmedTcp, TimeoutClass::UnconfirmedUdp,
                           TimeoutClass::UnconfirmedIcmp);
    if (p == proto_tcp) {
        switch (e.tcp) {
        case TcpState::Closed:
            return TimeoutClass::TcpClosed;
        case TcpState::TimeWait:
            return TimeoutClass::TcpTimeWait;
        case TcpState::FinWait:
        case TcpState::LastAck:
            return TimeoutClass::TcpClosing;
        case TcpState::SynSent:
        case TcpState::SynReceived:
            return TimeoutClass::ConfirmedTcp;
        default:
            break;
        }
    }
    if (e.lifecycle == Lifecycle::Established)
        return by_protocol(p, TimeoutClass::EstablishedTcp, TimeoutClass::EstablishedUdp,
                           TimeoutClass::EstablishedIcmp);
    return by_protocol(p, TimeoutClass::ConfirmedTcp, TimeoutClass::ConfirmedUdp,
                       TimeoutClass::ConfirmedIcmp);
}

TrackResult Tracker::track_related(const Classified& c, net::Instant now) {
    TrackResult r;
    // The quote is a datagram the error's destination sent earlier. Fully translated (it left this
    // appliance), its inversion is one of the connection's tuples and the error travels that direction;
    // untranslated (the appliance itself refused it on the way in), it is the tuple of its own direction.
    if (auto hit = table_.find(c.tuple.inverted(), now)) {
        r.ref = hit->ref;
        r.dir = hit->dir;
    } else if (auto same = table_.find(c.tuple, now)) {
        r.ref = same->ref;
        r.dir = opposite(same->dir);
    } else {
        ++counters_.invalid;
        r.state = CtState::Invalid;
        return r;
    }
    ++counters_.related;
    r.state = CtState::Related;
    return r;
}

CtState Tracker::peek(const Classified& c, net::Instant now) const {
    switch (c.kind) {
    case PacketKind::Tracked:
        break;
    case PacketKind::IcmpError:
        return table_.peek(c.tuple.inverted(), now) || table_.peek(c.tuple, now) ? CtState::Related
                                                                                 : CtState::Invalid;
    case PacketKind::Untracked:
        return CtState::Untracked;
    default:
        return CtState::Invalid;
    }
    if (const auto hit = table_.peek(c.tuple, now)) {
        const Entry& e = *table_.get(hit->ref);
        return hit->dir == Dir::Reply || e.lifecycle == Lifecycle::Established ? CtState::Established
                                                                               : CtState::New;
    }
    return may_open(c) ? CtState::New : CtState::Invalid;
}

bool Tracker::may_open(const Classified& c) const {
    return c.may_open && (c.tuple.protocol != proto_tcp || tcp_may_open(c.tcp_flags, stateful_));
}

TrackResult Tracker::track(const Classified& c, net::Instant now) {
    TrackResult r;
    switch (c.kind) {
    case PacketKind::Tracked:
        break;
    case PacketKind::IcmpError:
        return track_related(c, now);
    case PacketKind::Untracked:
        return r;
    case PacketKind::BadIcmpError:
    case PacketKind::Malformed:
    case PacketKind::LaterFragment:
        ++counters_.invalid;
        r.state = CtState::Invalid;
        return r;
    }
    const bool tcp = c.tuple.protocol == proto_tcp;
    const TcpSegment segment{c.tcp_flags, c.tcp_seq, c.tcp_ack};

    if (auto hit = table_.find(c.tuple, now)) {
        Entry& e = *table_.get(hit->ref);
        r.ref = hit->ref;
        r.dir = hit->dir;
        if (tcp) {
            const TcpStep step = tcp_step(e, hit->dir, segment, stateful_);
            if (!step.in_state) {
                // Out of state: the connection keeps its state and timeout; rules see `invalid`.
                ++counters_.out_of_state;
                ++counters_.invalid;
                r.state = CtState::Invalid;
                return r;
            }
            if (step.reopened && e.lifecycle == Lifecycle::Established) e.lifecycle = Lifecycle::Confirmed;
        }
        if (hit->dir == Dir::Reply) e.lifecycle = Lifecycle::Established;
        r.state = e.lifecycle == Lifecycle::Established ? CtState::Established : CtState::New;
        table_.touch(hit->ref, class_of(e), now);
        return r;
    }

    if (!may_open(c)) {
        ++counters_.invalid;
        r.state = CtState::Invalid;
        return r;
    }
    const TimeoutClass cls = by_protocol(c.tuple.protocol, TimeoutClass::UnconfirmedTcp,
                                         TimeoutClass::UnconfirmedUdp, TimeoutClass::UnconfirmedIcmp);
    auto inserted = table_.insert(c.tuple, cls, now);
    if (!inserted) {
        // Its reply tuple belongs to another (translated) connection: it cannot be told apart.
        ++counters_.invalid;
        r.state = CtState::Invalid;
        return r;
    }
    Entry& e = *table_.get(inserted->ref);
    if (tcp) {
        e.tcp = tcp_opening_state(c.tcp_flags);
        e.tcp_isn = c.tcp_seq;
    }
    r.state = CtState::New;
    r.ref = inserted->ref;
    r.created = true;
    r.evicted = inserted->evicted;
    r.evicted_original = inserted->evicted_original;
    return r;
}

void Tracker::confirm(ConntrackTable::Ref ref, net::Instant now) {
    Entry* e = table_.get(ref);
    if (e == nullptr || e->lifecycle != Lifecycle::Unconfirmed) return;
    e->lifecycle = Lifecycle::Confirmed;
    table_.touch(ref, class_of(*e), now);
}

} // namespace appliance::conntrack
