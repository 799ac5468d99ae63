// The narrow waist between compiled rules and the appliance runtime.
//
// Generated chain functions (codegen/) see a packet only as a RulePacket and act only through an
// ActionSink; the runtime (appliances/ on the image and linux platforms) and `naclc test` (on the host)
// each provide both. Nothing here depends on net/ or on NaCl, so the classifiers compile and run the same
// way everywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace appliance {

namespace classifier {
struct PreparedMatch;
}

// The values of the IR's CtState, in its order.
enum class CtState : std::uint8_t { New, Established, Related, Invalid, Untracked };

// What a chain decides; numerically equal to net::Verdict.
enum class Verdict : std::uint8_t { Accept, Drop, Reject };

// Every packet property a rule can test, in the order of nacl::ir::Field.
enum class FieldId : std::uint8_t {
    IpVersion,
    IpHdrLength, // 32-bit words
    IpDscp,
    IpEcn,
    IpLength,
    IpId,
    IpFragOff, // the 13-bit offset, without the flags
    IpTtl,
    IpProtocol,
    IpChecksum,
    IpSaddr,
    IpDaddr,
    TcpSport,
    TcpDport,
    TcpSequence,
    TcpAckseq,
    TcpDoff, // 32-bit words
    TcpReserved,
    TcpFlags, // 9 bits: NS is bit 8
    TcpWindow,
    TcpChecksum,
    TcpUrgptr,
    UdpSport,
    UdpDport,
    UdpLength,
    UdpChecksum,
    IcmpType,
    IcmpCode,
    IcmpId,
    IcmpSequence,
    CtState,
    Iif,
    Oif,
};
inline constexpr std::size_t field_count = std::size_t(FieldId::Oif) + 1;

inline constexpr std::uint8_t no_iface = 0xff;

// The fields every classifier dimension reads are plain members, filled once per packet per hook by the
// runtime. Everything else is read on demand from the header bytes (rules on ip.id or tcp.window are rare).
// Addresses and numbers are in host byte order. For a packet whose transport header is absent (a non-first
// fragment, or truncated), ports, flags and ICMP fields are 0.
struct RulePacket {
    std::uint32_t saddr = 0;
    std::uint32_t daddr = 0;
    std::uint16_t sport = 0; // TCP/UDP source port
    std::uint16_t dport = 0;
    std::uint16_t tcp_flags = 0;
    std::uint8_t protocol = 0;
    std::uint8_t ttl = 0;
    std::uint8_t icmp_type = 0;
    std::uint8_t icmp_code = 0;
    CtState ct = CtState::Untracked;
    std::uint8_t iif = no_iface; // Iface index in the IR's interface order
    std::uint8_t oif = no_iface;
    std::span<const std::byte> ip_header; // the IPv4 datagram from its first byte (header + what follows)
    // A lookup the runtime did ahead for this packet's burst (its chain's PrepareFunction), or null.
    classifier::PreparedMatch* prepared = nullptr;

    // Any field, hot or not (defined in appliances/src/rule_packet.cpp, bounds-checked; 0 when absent).
    std::uint64_t get(FieldId f) const;
};

// A piece of a log/syslog message: literal text, or a field printed the way the language writes it
// (dotted quad for addresses, names for ct states and TCP flags).
struct LogArg {
    const char* text = nullptr; // when non-null, the piece is this text
    FieldId field = FieldId::IpSaddr;
};

enum class Severity : std::uint8_t { Emerg, Alert, Crit, Err, Warning, Notice, Info, Debug };
enum class NatKind : std::uint8_t { Dnat, Snat };

// Side effects of rules. `rule` is the index of the statement in the generated rule table (RuleInfo), so
// logs, counters and `naclc test` can name the source location.
class ActionSink {
public:
    virtual void log(const RulePacket& packet, std::uint32_t rule, std::span<const LogArg> args) = 0;
    virtual void syslog(const RulePacket& packet, std::uint32_t rule, Severity severity,
                        std::span<const LogArg> args) = 0;
    // addr/port: has_addr/has_port say which parts are rewritten. The chain goes on with the packet as
    // rewritten (the runtime updates `packet`'s fields before the next function runs).
    virtual void nat(RulePacket& packet, std::uint32_t rule, NatKind kind, bool has_addr, std::uint32_t addr,
                     bool has_port, std::uint16_t port) = 0;

protected:
    ~ActionSink() = default;
};

// What one chain decided and which statement decided it (rule_none: the chain was empty, or its last
// function was a Nat that ended without a verdict).
inline constexpr std::uint32_t rule_none = 0xffffffff;
struct Decision {
    Verdict verdict = Verdict::Accept;
    std::uint32_t rule = rule_none;
};

// A generated chain: runs its functions in order (first-match inside each), returns at the first drop or
// reject, or after the last function.
using ChainFunction = Decision (*)(RulePacket& packet, ActionSink& actions);

// Emitted for a chain with a large decision table: looks up that table for a burst of packets at once
// (out[i] for packets[i], interleaved: classifier::prepare_matches), before the chain runs for each of them
// with RulePacket::prepared pointing at its entry. The packets may be the runtime's guesses: the chain
// takes a prepared answer only for the key it was prepared for.
using PrepareFunction = void (*)(std::span<const RulePacket> packets, classifier::PreparedMatch* out);

// Emitted by codegen next to the chains: where each rule index comes from.
struct RuleInfo {
    const char* function; // top-level function name
    std::uint32_t line;
    std::uint32_t column;
};

} // namespace appliance
