#include "net/wire/ethernet.hpp"

namespace net::wire {

bool EthernetRepr::emit(std::span<std::byte> out) const {
    auto v = EthernetView::parse(out);
    if (!v) return false;
    v->set_dst(dst);
    v->set_src(src);
    v->set_ethertype(ethertype);
    return true;
}

bool VlanRepr::emit(std::span<std::byte> out) const {
    if (out.size() < VlanView::header_len) return false;
    // IEEE 802.1Q 9.6: PCP (3 bits), DEI (1 bit, left 0), VID (12 bits).
    put16(out, 0, static_cast<std::uint16_t>((std::uint16_t{priority} & 0x7) << 13 | (vlan_id & 0x0fff)));
    put16(out, 2, ethertype);
    return true;
}

} // namespace net::wire
