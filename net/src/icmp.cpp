// ICMP (RFC 792): echo replies built in place, errors quoting the offending datagram, rate-limited.
#include "net/wire/icmp.hpp"
#include "net/stack.hpp"

#include <algorithm>
#include <cstring>

namespace net {

void Stack::icmp_input(Interface& in, PacketPtr packet, const wire::Ipv4View& ip, bool l2_broadcast) {
    auto icmp = wire::IcmpView::parse(ip.payload());
    if (!icmp) return drop(&in, DropReason::Truncated);
    if (!icmp->verify_checksum()) return drop(&in, DropReason::BadChecksum);

    if (icmp->type() == wire::icmp_type::echo_request) {
        // RFC 1122 3.2.2.6: echo requests to a broadcast address may be dropped; answering them is a
        // traffic amplifier.
        if (l2_broadcast || !is_local_address(ip.dst())) return drop(&in, DropReason::IcmpIgnored);
        auto route = route_to(ip.src());
        if (route.is_error()) return drop(&in, DropReason::NoRoute);
        // RFC 792: the reply is the request with its type changed and addresses swapped; the checksum is
        // updated incrementally and the data is not copied.
        icmp->set_type(wire::icmp_type::echo_reply);
        wire::Ipv4Repr reply;
        reply.src = ip.dst(); // RFC 1122 3.2.2.6: the source of the reply is the request's destination
        reply.dst = ip.src();
        reply.protocol = wire::ip_proto::icmp;
        reply.ttl = config_.default_ttl;
        reply.tos = ip.tos();
        // The request's header (and its options, RFC 1122 3.2.2.6 allows dropping them) is replaced.
        if (!packet->consume_front(ip.header_len())) return drop(&in, DropReason::Truncated);
        counters_.delivered += 1;
        if (send_ipv4(std::move(packet), reply, route.value())) counters_.echo_replies_sent += 1;
        return;
    }
    if (!icmp_handler_) return drop(&in, DropReason::IcmpIgnored);
    counters_.delivered += 1;
    icmp_handler_(IcmpEvent{&in, ip.src(), icmp->type(), icmp->code(), icmp->rest_of_header(), icmp->data()});
}

bool Stack::may_answer(const wire::Ipv4View& ip, bool l2_broadcast) const {
    const Ipv4Address src = ip.src();
    const Ipv4Address dst = ip.dst();
    // RFC 1122 3.2.2 / RFC 1812 4.3.2.7: no answer to a link-layer or IP broadcast or multicast, or to a
    // source that is not one host.
    if (l2_broadcast || dst.is_broadcast() || dst.is_multicast()) return false;
    if (src.is_unspecified() || src.is_broadcast() || src.is_multicast() || src.is_loopback() ||
        src.is_class_e())
        return false;
    if (is_local_address(src)) return false;
    for (std::size_t i = 0; i < count_; ++i) {
        const Interface& iface = *list_[i];
        if (iface.configured_ && iface.cidr_.prefix_len < 31 && dst == iface.cidr_.directed_broadcast())
            return false;
    }
    return true;
}

void Stack::icmp_error(const wire::Ipv4View& offending, bool l2_broadcast, std::uint8_t type,
                       std::uint8_t code, std::uint32_t rest) {
    const Ipv4Address src = offending.src();
    // RFC 1122 3.2.2 / RFC 1812 4.3.2.7: nor about a non-first fragment or another ICMP error.
    if (!may_answer(offending, l2_broadcast) || offending.fragment_offset() != 0) return;
    const std::span<std::byte> payload = offending.payload();
    if (offending.protocol() == wire::ip_proto::icmp &&
        (payload.empty() || wire::icmp_type::is_error(wire::get8(payload, 0))))
        return;
    if (!icmp_limiter_.allow(now_)) {
        counters_.icmp_rate_limited += 1;
        return;
    }
    auto route = route_to(src);
    if (route.is_error()) return;
    PacketPtr p = pool_.allocate();
    if (!p) return drop(route.value().interface, DropReason::PoolExhausted);
    // RFC 792: the internet header plus the first 64 bits of the original datagram's data.
    const std::size_t quoted = offending.header_len() + std::min<std::size_t>(8, payload.size());
    if (!p->append(wire::IcmpView::header_len + quoted))
        return drop(route.value().interface, DropReason::NoHeadroom);
    std::memcpy(p->data().data() + wire::IcmpView::header_len, offending.bytes().data(), quoted);
    (void)wire::IcmpRepr{type, code, rest}.emit(p->data());

    wire::Ipv4Repr ip;
    ip.dst = src;
    ip.protocol = wire::ip_proto::icmp;
    ip.ttl = config_.default_ttl;
    if (send_ipv4(std::move(p), ip, route.value())) counters_.icmp_errors_sent += 1;
}

ErrorOr<void> Stack::send_echo_request(Ipv4Address dst, std::uint16_t id, std::uint16_t seq,
                                       std::span<const std::byte> payload) {
    auto route = route_to(dst);
    if (route.is_error()) return route.error();
    PacketPtr p = pool_.allocate();
    if (!p) return Error::NoBuffers;
    if (!p->append(wire::IcmpView::header_len + payload.size())) return Error::MessageTooLong;
    if (!payload.empty())
        std::memcpy(p->data().data() + wire::IcmpView::header_len, payload.data(), payload.size());
    (void)wire::IcmpRepr{wire::icmp_type::echo_request, 0, (std::uint32_t{id} << 16) | seq}.emit(p->data());
    wire::Ipv4Repr ip;
    ip.dst = dst;
    ip.protocol = wire::ip_proto::icmp;
    ip.ttl = config_.default_ttl;
    return send_ipv4(std::move(p), ip, route.value());
}

} // namespace net
