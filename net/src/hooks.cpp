#include "net/hooks.hpp"

#include "net/wire/icmp.hpp"
#include "net/wire/tcp.hpp"

namespace net {

void PacketInfo::parse_transport() {
    protocol = ip.protocol();
    has_ports = has_icmp = false;
    transport = {};
    // Only the first fragment carries the transport header (RFC 791 3.2).
    if (ip.fragment_offset() != 0) return;
    transport = ip.payload();
    switch (protocol) {
    case wire::ip_proto::udp:
        if (transport.size() < 8) return;
        break;
    case wire::ip_proto::tcp:
        if (transport.size() < wire::TcpView::min_header_len) return;
        tcp_flags = wire::get8(transport, 13) & 0x3f;
        break;
    case wire::ip_proto::icmp:
        if (transport.size() < wire::IcmpView::header_len) return;
        has_icmp = true;
        icmp_type = wire::get8(transport, 0);
        icmp_code = wire::get8(transport, 1);
        return;
    default:
        return;
    }
    has_ports = true;
    src_port = wire::get16(transport, 0);
    dst_port = wire::get16(transport, 2);
}

} // namespace net
