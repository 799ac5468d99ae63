// Names for enums and small value helpers, kept apart so the hot paths stay in their own files.
#include "net/counters.hpp"
#include "net/dhcp_client.hpp"
#include "net/ipv4_address.hpp"
#include "net/result.hpp"

namespace net {

const char* to_string(Error e) {
    switch (e) {
    case Error::InvalidArgument:
        return "invalid argument";
    case Error::AddressInUse:
        return "address in use";
    case Error::NotConfigured:
        return "not configured";
    case Error::NoRoute:
        return "no route";
    case Error::NoBuffers:
        return "no buffers";
    case Error::MessageTooLong:
        return "message too long";
    case Error::TableFull:
        return "table full";
    case Error::NotFound:
        return "not found";
    case Error::LinkDown:
        return "link down";
    case Error::Filtered:
        return "filtered";
    case Error::WouldBlock:
        return "would block";
    }
    return "?";
}

const char* to_string(DropReason r) {
    switch (r) {
    case DropReason::Truncated:
        return "truncated";
    case DropReason::BadLength:
        return "bad length";
    case DropReason::BadVersion:
        return "bad version";
    case DropReason::BadChecksum:
        return "bad checksum";
    case DropReason::UnknownEthertype:
        return "unknown ethertype";
    case DropReason::UnknownVlan:
        return "unknown vlan";
    case DropReason::NotForUs:
        return "not for us";
    case DropReason::ArpInvalid:
        return "arp invalid";
    case DropReason::Martian:
        return "martian address";
    case DropReason::NotConfigured:
        return "not configured";
    case DropReason::NoRoute:
        return "no route";
    case DropReason::TtlExceeded:
        return "ttl exceeded";
    case DropReason::MtuExceeded:
        return "mtu exceeded";
    case DropReason::Filtered:
        return "filtered";
    case DropReason::ArpQueueFull:
        return "arp queue full";
    case DropReason::ArpUnresolved:
        return "arp unresolved";
    case DropReason::PoolExhausted:
        return "pool exhausted";
    case DropReason::TxQueueFull:
        return "tx queue full";
    case DropReason::LinkDown:
        return "link down";
    case DropReason::ReassemblyOverlap:
        return "reassembly overlap";
    case DropReason::ReassemblyTooBig:
        return "reassembly too big";
    case DropReason::ReassemblyTimeout:
        return "reassembly timeout";
    case DropReason::ReassemblyEvicted:
        return "reassembly evicted";
    case DropReason::UnknownProtocol:
        return "unknown protocol";
    case DropReason::NoSocket:
        return "no socket";
    case DropReason::IcmpIgnored:
        return "icmp ignored";
    case DropReason::NoHeadroom:
        return "no headroom";
    case DropReason::Count:
        break;
    }
    return "?";
}

const char* to_string(DhcpState s) {
    switch (s) {
    case DhcpState::Idle:
        return "idle";
    case DhcpState::Selecting:
        return "selecting";
    case DhcpState::Requesting:
        return "requesting";
    case DhcpState::Bound:
        return "bound";
    case DhcpState::Renewing:
        return "renewing";
    case DhcpState::Rebinding:
        return "rebinding";
    case DhcpState::FellBack:
        return "fell back";
    }
    return "?";
}

namespace {
std::uint64_t sum(const DropCounters& d) {
    std::uint64_t n = 0;
    for (auto v : d)
        n += v;
    return n;
}
} // namespace

std::uint64_t InterfaceCounters::total_drops() const {
    return sum(drops);
}
std::uint64_t StackCounters::total_drops() const {
    return sum(drops);
}

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view text) {
    std::uint32_t value = 0;
    std::size_t pos = 0;
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (pos >= text.size() || text[pos] != '.') return std::nullopt;
            ++pos;
        }
        std::uint32_t octet = 0;
        std::size_t digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && digits < 4) {
            octet = octet * 10 + static_cast<std::uint32_t>(text[pos] - '0');
            ++pos;
            ++digits;
        }
        if (digits == 0 || digits > 3 || octet > 255) return std::nullopt;
        value = (value << 8) | octet;
    }
    if (pos != text.size()) return std::nullopt;
    return Ipv4Address{value};
}

} // namespace net
