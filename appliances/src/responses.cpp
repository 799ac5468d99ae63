#include "appliance/responses.hpp"

#include "net/wire/icmp.hpp"

#include <algorithm>
#include <cstring>

namespace appliance {

namespace {

// The rules of net::Stack::may_answer, and never about a non-first fragment.
bool may_answer(const net::wire::Ipv4View& ip, const net::Stack& stack) {
    return ip.fragment_offset() == 0 && stack.may_answer(ip, false);
}

} // namespace

bool Responder::allowed() {
    if (limiter_.allow(stack_.now())) return true;
    ++counters_.rate_limited;
    return false;
}

bool Responder::send_reset(const net::wire::Ipv4View& segment) {
    const auto reset = net::tcp_reset_for(segment);
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
