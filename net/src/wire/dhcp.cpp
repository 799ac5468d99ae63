#include "net/wire/dhcp.hpp"

#include <utility>

namespace net::wire {

namespace {

// RFC 2132 option codes used by the client.
constexpr std::uint8_t opt_pad = 0;
constexpr std::uint8_t opt_subnet_mask = 1;
constexpr std::uint8_t opt_router = 3;
constexpr std::uint8_t opt_requested_ip = 50;
constexpr std::uint8_t opt_lease_time = 51;
constexpr std::uint8_t opt_message_type = 53;
constexpr std::uint8_t opt_server_id = 54;
constexpr std::uint8_t opt_parameter_list = 55;
constexpr std::uint8_t opt_renewal_time = 58;
constexpr std::uint8_t opt_rebinding_time = 59;
constexpr std::uint8_t opt_end = 255;

std::optional<Ipv4Address> address_option(const DhcpView& v, std::uint8_t code) {
    auto o = v.option(code);
    if (!o || o->size() < 4) return std::nullopt;
    return Ipv4Address{get32(*o, 0)};
}

std::optional<std::uint32_t> u32_option(const DhcpView& v, std::uint8_t code) {
    auto o = v.option(code);
    if (!o || o->size() != 4) return std::nullopt;
    return get32(*o, 0);
}

struct OptionWriter {
    std::span<std::byte> out;
    std::size_t pos;
    void byte(std::uint8_t b) { put8(out, pos++, b); }
    void address(std::uint8_t code, Ipv4Address a) {
        byte(code);
        byte(4);
        put32(out, pos, a.value);
        pos += 4;
    }
};

} // namespace

std::optional<DhcpView> DhcpView::parse(std::span<std::byte> bytes) {
    if (bytes.size() < options_offset) return std::nullopt;
    if (get32(bytes, fixed_len) != magic_cookie) return std::nullopt;
    // Only Ethernet client hardware addresses (htype 1, hlen 6).
    if (get8(bytes, 1) != 1 || get8(bytes, 2) != 6) return std::nullopt;
    return DhcpView{bytes};
}

std::optional<std::span<std::byte>> DhcpView::option(std::uint8_t code) const {
    std::size_t pos = options_offset;
    while (pos < bytes_.size()) {
        const std::uint8_t c = get8(bytes_, pos);
        if (c == opt_end) return std::nullopt;
        if (c == opt_pad) {
            ++pos;
            continue;
        }
        if (pos + 1 >= bytes_.size()) return std::nullopt;
        const std::size_t len = get8(bytes_, pos + 1);
        if (pos + 2 + len > bytes_.size()) return std::nullopt;
        if (c == code) return bytes_.subspan(pos + 2, len);
        pos += 2 + len;
    }
    return std::nullopt;
}

std::optional<DhcpRepr> DhcpRepr::parse(const DhcpView& v) {
    auto type = v.option(opt_message_type);
    if (!type || type->size() != 1) return std::nullopt;
    DhcpRepr r;
    r.op = v.op();
    r.message_type = get8(*type, 0);
    r.xid = v.xid();
    r.broadcast = (v.flags() & 0x8000) != 0;
    r.ciaddr = v.ciaddr();
    r.yiaddr = v.yiaddr();
    r.client_mac = v.chaddr();
    r.server_id = address_option(v, opt_server_id);
    r.requested_ip = address_option(v, opt_requested_ip);
    r.subnet_mask = address_option(v, opt_subnet_mask);
    r.router = address_option(v, opt_router);
    r.lease_time = u32_option(v, opt_lease_time);
    r.renewal_time = u32_option(v, opt_renewal_time);
    r.rebinding_time = u32_option(v, opt_rebinding_time);
    return r;
}

std::size_t DhcpRepr::emit(std::span<std::byte> out) const {
    if (out.size() < max_emit_len) return 0;
    for (std::size_t i = 0; i < max_emit_len; ++i)
        out[i] = std::byte{0};
    put8(out, 0, op);
    put8(out, 1, 1); // htype: Ethernet
    put8(out, 2, 6); // hlen
    put32(out, 4, xid);
    // RFC 2131 4.1: the broadcast bit asks the server to broadcast replies to a client without an address.
    put16(out, 10, broadcast ? 0x8000 : 0);
    put32(out, 12, ciaddr.value);
    put32(out, 16, yiaddr.value);
    for (std::size_t i = 0; i < 6; ++i)
        put8(out, 28 + i, client_mac.octets[i]);
    put32(out, DhcpView::fixed_len, DhcpView::magic_cookie);

    OptionWriter w{out, DhcpView::options_offset};
    w.byte(opt_message_type);
    w.byte(1);
    w.byte(message_type);
    if (requested_ip) w.address(opt_requested_ip, *requested_ip);
    if (server_id) w.address(opt_server_id, *server_id);
    if (subnet_mask) w.address(opt_subnet_mask, *subnet_mask);
    if (router) w.address(opt_router, *router);
    const std::pair<std::uint8_t, const std::optional<std::uint32_t>*> times[] = {
        {opt_lease_time, &lease_time},
        {opt_renewal_time, &renewal_time},
        {opt_rebinding_time, &rebinding_time}};
    for (const auto& [code, value] : times) {
        if (!*value) continue;
        w.byte(code);
        w.byte(4);
        put32(out, w.pos, **value);
        w.pos += 4;
    }
    if (op == 1) {
        // RFC 2131 4.3.1: ask for the mask and router explicitly.
        w.byte(opt_parameter_list);
        w.byte(2);
        w.byte(opt_subnet_mask);
        w.byte(opt_router);
    }
    w.byte(opt_end);
    return w.pos < min_len ? min_len : w.pos;
}

} // namespace net::wire
