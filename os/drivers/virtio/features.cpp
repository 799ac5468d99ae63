#include "features.hpp"

#include <cstring>

namespace os::virtio {

namespace {

struct Name {
    unsigned bit;
    const char* name;
};
constexpr Name names[] = {
    {feature::net_csum, "CSUM"},
    {feature::net_guest_csum, "GUEST_CSUM"},
    {feature::net_mtu, "MTU"},
    {feature::net_mac, "MAC"},
    {feature::net_guest_tso4, "GUEST_TSO4"},
    {feature::net_mrg_rxbuf, "MRG_RXBUF"},
    {feature::net_status, "STATUS"},
    {feature::net_ctrl_vq, "CTRL_VQ"},
    {feature::net_mq, "MQ"},
    {feature::notify_on_empty, "NOTIFY_ON_EMPTY"},
    {feature::any_layout, "ANY_LAYOUT"},
    {feature::indirect_desc, "INDIRECT_DESC"},
    {feature::event_idx, "EVENT_IDX"},
    {feature::version_1, "VERSION_1"},
    {feature::access_platform, "ACCESS_PLATFORM"},
    {feature::ring_packed, "RING_PACKED"},
};

constexpr std::uint64_t wanted = bit(feature::net_csum) | bit(feature::net_guest_csum) |
                                 bit(feature::net_mtu) | bit(feature::net_mac) | bit(feature::net_mrg_rxbuf) |
                                 bit(feature::net_status) | bit(feature::event_idx);

} // namespace

NetNegotiation negotiate_net(std::uint64_t offered, bool modern) {
    NetNegotiation n;
    if (modern) {
        // 6: a modern transport with a device that is not virtio 1.x is a broken device.
        if (!has(offered, feature::version_1)) {
            n.unsupported = "modern transport without VERSION_1";
            return n;
        }
        n.accepted = (offered & wanted) | bit(feature::version_1) | (offered & bit(feature::access_platform));
        return n;
    }
    // Legacy: 32 feature bits; we put the header and the frame in one descriptor, which a legacy device
    // accepts only with ANY_LAYOUT (2.7.4 legacy note).
    offered &= 0xffffffffu;
    if (!has(offered, feature::any_layout)) {
        n.unsupported = "legacy device without ANY_LAYOUT";
        return n;
    }
    n.accepted = (offered & wanted) | bit(feature::any_layout);
    return n;
}

std::size_t format_features(std::uint64_t features, std::span<char> out) {
    std::size_t n = 0;
    auto put = [&](const char* text) {
        const std::size_t len = std::strlen(text);
        const bool space = n != 0;
        if (n + space + len + 1 > out.size()) return false;
        if (space) out[n++] = ' ';
        std::memcpy(out.data() + n, text, len);
        n += len;
        out[n] = '\0';
        return true;
    };
    if (!out.empty()) out[0] = '\0';
    for (const Name& name : names) {
        if (has(features, name.bit) && !put(name.name)) break;
    }
    return n;
}

} // namespace os::virtio
