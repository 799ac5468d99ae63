#include "net/wire/udp.hpp"

#include "net/wire/checksum.hpp"
#include "net/wire/ipv4.hpp"

namespace net::wire {

std::optional<UdpView> UdpView::parse(std::span<std::byte> bytes) {
    if (bytes.size() < header_len) return std::nullopt;
    const std::size_t len = get16(bytes, 4);
    if (len < header_len || len > bytes.size()) return std::nullopt;
    return UdpView{bytes.first(len)};
}

bool UdpView::verify_checksum(Ipv4Address src, Ipv4Address dst) const {
    if (checksum() == 0) return true;
    const std::uint32_t acc = pseudo_header_sum(src, dst, ip_proto::udp, length());
    return checksum_finish(checksum_accumulate(acc, bytes_)) == 0;
}

bool UdpRepr::emit(std::span<std::byte> datagram, Ipv4Address src, Ipv4Address dst) const {
    if (datagram.size() < UdpView::header_len || datagram.size() > 0xffff) return false;
    const auto len = static_cast<std::uint16_t>(datagram.size());
    put16(datagram, 0, src_port);
    put16(datagram, 2, dst_port);
    put16(datagram, 4, len);
    put16(datagram, 6, 0);
    std::uint16_t sum =
        checksum_finish(checksum_accumulate(pseudo_header_sum(src, dst, ip_proto::udp, len), datagram));
    // RFC 768: a computed zero is sent as all ones, since zero means "no checksum".
    if (sum == 0) sum = 0xffff;
    put16(datagram, 6, sum);
    return true;
}

} // namespace net::wire
