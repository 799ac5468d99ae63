#include "net/wire/tcp.hpp"

#include "net/wire/checksum.hpp"
#include "net/wire/ipv4.hpp"

namespace net::wire {

std::optional<TcpView> TcpView::parse(std::span<std::byte> bytes) {
    if (bytes.size() < min_header_len) return std::nullopt;
    const std::size_t hlen = static_cast<std::size_t>(get8(bytes, 12) >> 4) * 4;
    if (hlen < min_header_len || hlen > bytes.size()) return std::nullopt;
    return TcpView{bytes};
}

bool TcpView::verify_checksum(Ipv4Address src, Ipv4Address dst) const {
    if (bytes_.size() > 0xffff) return false;
    const std::uint32_t acc =
        pseudo_header_sum(src, dst, ip_proto::tcp, static_cast<std::uint16_t>(bytes_.size()));
    return checksum_finish(checksum_accumulate(acc, bytes_)) == 0;
}

bool TcpRepr::emit(std::span<std::byte> segment, Ipv4Address src, Ipv4Address dst) const {
    if (segment.size() < TcpView::min_header_len || segment.size() > 0xffff) return false;
    put16(segment, 0, src_port);
    put16(segment, 2, dst_port);
    put32(segment, 4, seq);
    put32(segment, 8, ack);
    put8(segment, 12, 5 << 4);
    put8(segment, 13, flags & 0x3f);
    put16(segment, 14, window);
    put16(segment, 16, 0);
    put16(segment, 18, 0);
    const auto len = static_cast<std::uint16_t>(segment.size());
    put16(segment, 16,
          checksum_finish(checksum_accumulate(pseudo_header_sum(src, dst, ip_proto::tcp, len), segment)));
    return true;
}

} // namespace net::wire
