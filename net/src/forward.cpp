// The router (RFC 1812 5.2-5.3): forwarding between interfaces with TTL and checksum updated in place, the
// Forward and Postrouting hooks, and ICMP errors for what cannot be forwarded. The buffer received is the
// buffer sent: only the link header is replaced.
#include "net/stack.hpp"
#include "net/wire/icmp.hpp"

namespace net {

void Stack::forward(Interface& in, PacketPtr packet, PacketInfo& info, bool l2_broadcast) {
    wire::Ipv4View ip = info.ip;
    if (!config_.forwarding) return drop(&in, DropReason::NotForUs);
    // RFC 1812 5.3.4: datagrams received as link-layer broadcast are not forwarded; nor are limited
    // broadcasts.
    if (l2_broadcast || ip.dst().is_broadcast()) return drop(&in, DropReason::NotForUs);
    // RFC 1812 5.3.7: a router does not forward a datagram from 0.0.0.0.
    if (ip.src().is_unspecified()) return drop(&in, DropReason::Martian);
    // RFC 1812 5.3.1: a datagram whose TTL would reach zero is discarded with "time exceeded in transit".
    if (ip.ttl() <= 1) {
        icmp_error(ip, l2_broadcast, wire::icmp_type::time_exceeded, wire::time_exceeded_code::ttl);
        return drop(&in, DropReason::TtlExceeded);
    }
    const Route* route = routes_.lookup(ip.dst());
    if (route == nullptr) {
        // RFC 1812 5.2.7.1: "network unreachable" when there is no route.
        icmp_error(ip, l2_broadcast, wire::icmp_type::dest_unreachable, wire::unreachable_code::net);
        return drop(&in, DropReason::NoRoute);
    }
    Interface& out = *route->interface;
    const Ipv4Address next_hop = route->gateway.is_unspecified() ? ip.dst() : route->gateway;
    // RFC 2644: directed broadcasts are not forwarded by default.
    if (out.configured_ && out.cidr_.prefix_len < 31 && ip.dst() == out.cidr_.directed_broadcast())
        return drop(&in, DropReason::NotForUs);

    info.out = &out;
    if (!filter(HookPoint::Forward, info, &in, l2_broadcast)) return;
    // This stack does not fragment. RFC 1191 4: with DF set, say which MTU would have worked.
    if (ip.total_length() > out.mtu()) {
        if (ip.dont_fragment()) {
            icmp_error(ip, l2_broadcast, wire::icmp_type::dest_unreachable,
                       wire::unreachable_code::fragmentation_needed, out.mtu());
        }
        return drop(&in, DropReason::MtuExceeded);
    }
    ip.decrement_ttl();
    if (!filter(HookPoint::Postrouting, info, &out, l2_broadcast)) return;
    counters_.forwarded += 1;
    (void)neighbour_output(out, next_hop, std::move(packet));
}

} // namespace net
