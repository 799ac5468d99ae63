#include "net/dhcp_client.hpp"

namespace net {

namespace {
using std::chrono::seconds;
// RFC 2131 4.1: retransmit after 4 s, doubling up to 64 s. (The RFC adds +-1 s of randomisation; the image
// has no entropy source here, so the seed in DhcpConfig and the MAC make clients differ instead.)
constexpr Duration first_backoff = seconds(4);
constexpr Duration max_backoff = seconds(64);
// RFC 2131 4.4.5: retransmissions while renewing or rebinding are no closer than 60 s.
constexpr Duration min_renew_retry = seconds(60);
constexpr std::uint32_t infinite_lease = 0xffffffffu;

std::uint32_t mix(std::uint32_t x) {
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}
} // namespace

DhcpClient::DhcpClient(MacAddress mac, DhcpConfig config) : mac_(mac), config_(config) {
    std::uint32_t seed = config.xid_seed;
    for (auto o : mac.octets)
        seed = seed * 31 + o;
    xid_ = mix(seed);
}

wire::DhcpRepr DhcpClient::base_message(std::uint8_t type) const {
    wire::DhcpRepr m;
    m.op = 1;
    m.message_type = type;
    m.xid = xid_;
    m.client_mac = mac_;
    return m;
}

void DhcpClient::arm_retransmit(Instant now) {
    retransmit_at_ = now + backoff_;
    backoff_ = backoff_ * 2 > max_backoff ? max_backoff : backoff_ * 2;
}

DhcpClient::Action DhcpClient::start(Instant now) {
    started_ = now;
    fallback_pending_ = config_.fallback.has_value();
    return send_discover(now);
}

DhcpClient::Action DhcpClient::send_discover(Instant now) {
    state_ = DhcpState::Selecting;
    xid_ = mix(xid_ + 1);
    backoff_ = first_backoff;
    arm_retransmit(now);
    Action a;
    a.send = base_message(wire::dhcp_msg::discover);
    // RFC 2131 4.1: a client that cannot receive unicast before it has an address sets the broadcast bit.
    a.send->broadcast = true;
    return a;
}

DhcpClient::Action DhcpClient::send_request(Instant now) {
    Action a;
    wire::DhcpRepr m = base_message(wire::dhcp_msg::request);
    switch (state_) {
    case DhcpState::Requesting:
        // RFC 2131 4.3.2 (SELECTING): server identifier and requested address, ciaddr zero, broadcast.
        m.requested_ip = offered_;
        m.server_id = server_;
        m.broadcast = true;
        break;
    case DhcpState::Renewing:
        // RFC 2131 4.3.2 (RENEWING): ciaddr set, unicast to the server, no server id or requested address.
        m.ciaddr = lease_.address;
        a.send_to = server_;
        break;
    case DhcpState::Rebinding:
        // RFC 2131 4.3.2 (REBINDING): ciaddr set, broadcast.
        m.ciaddr = lease_.address;
        break;
    default:
        return a;
    }
    a.send = m;
    if (state_ == DhcpState::Requesting) {
        arm_retransmit(now);
    } else {
        // RFC 2131 4.4.5: wait half the time left until T2 (or expiry), but at least 60 s.
        const Instant until = state_ == DhcpState::Renewing ? t2_ : expiry_;
        Duration wait = (until - now) / 2;
        if (wait < min_renew_retry) wait = min_renew_retry;
        retransmit_at_ = now + wait;
    }
    return a;
}

DhcpClient::Action DhcpClient::poll(Instant now) {
    Action a;
    if (fallback_pending_ && state_ != DhcpState::Bound && now >= started_ + config_.timeout) {
        fallback_pending_ = false;
        state_ = DhcpState::FellBack;
        a.configure = Action::Configure::Apply;
        a.config = *config_.fallback;
        return a;
    }
    switch (state_) {
    case DhcpState::Selecting:
        if (now >= retransmit_at_) {
            a.send = base_message(wire::dhcp_msg::discover);
            a.send->broadcast = true;
            arm_retransmit(now);
        }
        return a;
    case DhcpState::Requesting:
        if (now >= retransmit_at_) {
            // RFC 2131 4.4.1: after the REQUEST retransmissions, start over.
            if (backoff_ >= max_backoff) return send_discover(now);
            return send_request(now);
        }
        return a;
    case DhcpState::Bound:
    case DhcpState::Renewing:
    case DhcpState::Rebinding:
        if (infinite_) return a;
        if (now >= expiry_) {
            // RFC 2131 4.4.5: the lease is gone; stop using the address and start over.
            Action restart = send_discover(now);
            restart.configure = Action::Configure::Remove;
            return restart;
        }
        if (state_ != DhcpState::Rebinding && now >= t2_) {
            state_ = DhcpState::Rebinding;
            return send_request(now);
        }
        if (state_ == DhcpState::Bound && now >= t1_) {
            state_ = DhcpState::Renewing;
            return send_request(now);
        }
        if (state_ != DhcpState::Bound && now >= retransmit_at_) return send_request(now);
        return a;
    case DhcpState::Idle:
    case DhcpState::FellBack:
        return a;
    }
    return a;
}

DhcpClient::Action DhcpClient::on_message(const wire::DhcpRepr& msg, Instant now) {
    Action a;
    // RFC 2131 4.4.1: replies carry our xid and our hardware address; anything else is for another client.
    if (msg.op != 2 || msg.xid != xid_ || msg.client_mac != mac_) return a;
    switch (state_) {
    case DhcpState::Selecting:
        if (msg.message_type != wire::dhcp_msg::offer || !msg.server_id || msg.yiaddr.is_unspecified())
            return a;
        // RFC 2131 4.4.1: take the first offer.
        offered_ = msg.yiaddr;
        server_ = *msg.server_id;
        state_ = DhcpState::Requesting;
        backoff_ = first_backoff;
        return send_request(now);
    case DhcpState::Requesting:
    case DhcpState::Renewing:
    case DhcpState::Rebinding:
        break;
    default:
        return a;
    }
    if (msg.message_type == wire::dhcp_msg::nak) {
        // RFC 2131 4.4.1/4.4.5: back to INIT; an address in use is given up.
        const bool had_address = state_ != DhcpState::Requesting;
        a = send_discover(now);
        if (had_address) a.configure = Action::Configure::Remove;
        return a;
    }
    if (msg.message_type != wire::dhcp_msg::ack || msg.yiaddr.is_unspecified()) return a;

    StaticConfig lease;
    lease.address = msg.yiaddr;
    // RFC 2131 doesn't require the mask option; fall back to the classful-free default of the smallest sane
    // subnet that still contains the router, /24.
    lease.netmask = msg.subnet_mask.value_or(Ipv4Address{255, 255, 255, 0});
    lease.gateway = msg.router.value_or(Ipv4Address{});
    if (msg.server_id) server_ = *msg.server_id;

    const std::uint32_t secs = msg.lease_time.value_or(infinite_lease);
    infinite_ = secs == infinite_lease;
    bound_at_ = now;
    if (!infinite_) {
        // RFC 2131 4.4.5: T1 defaults to half the lease, T2 to 7/8 of it.
        const std::uint32_t t1 = msg.renewal_time.value_or(secs / 2);
        const std::uint32_t t2 =
            msg.rebinding_time.value_or(static_cast<std::uint32_t>(std::uint64_t{secs} * 7 / 8));
        expiry_ = now + seconds(secs);
        t2_ = now + seconds(t2 < secs ? t2 : secs);
        t1_ = now + seconds(t1 < t2 ? t1 : t2);
    }
    const bool changed = lease.address != lease_.address || lease.netmask != lease_.netmask ||
                         lease.gateway != lease_.gateway || state_ == DhcpState::Requesting;
    lease_ = lease;
    state_ = DhcpState::Bound;
    fallback_pending_ = false;
    if (changed) {
        a.configure = Action::Configure::Apply;
        a.config = lease;
    }
    return a;
}

std::optional<Instant> DhcpClient::next_deadline() const {
    switch (state_) {
    case DhcpState::Selecting:
    case DhcpState::Requesting: {
        Instant next = retransmit_at_;
        if (fallback_pending_ && started_ + config_.timeout < next) next = started_ + config_.timeout;
        return next;
    }
    case DhcpState::Bound:
        if (infinite_) return std::nullopt;
        return t1_;
    case DhcpState::Renewing:
    case DhcpState::Rebinding: {
        if (infinite_) return std::nullopt;
        Instant next = retransmit_at_;
        if (state_ == DhcpState::Renewing && t2_ < next) next = t2_;
        if (expiry_ < next) next = expiry_;
        return next;
    }
    case DhcpState::Idle:
    case DhcpState::FellBack:
        return std::nullopt;
    }
    return std::nullopt;
}

} // namespace net
