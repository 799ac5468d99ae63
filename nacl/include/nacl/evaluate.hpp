#pragma once
// The reference evaluator: the linear, first-match meaning of the IR. The code
// generator's classifiers are tested against it, and `naclc test` uses it.
// Pure functions: no state outside their arguments.

#include "nacl/ir.hpp"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace nacl::ir {

// A packet as the rules see it. Number, TcpFlags and CtState fields hold
// their value; IPv4 addresses are held in host order in their field.
struct Packet {
    std::array<uint64_t, kFieldCount> fields{};
    std::string iif, oif;

    uint64_t get(Field f) const { return fields[size_t(f)]; }
    void set(Field f, uint64_t v) { fields[size_t(f)] = v; }
    // An IPv4 packet of `protocol` with the defaults `naclc test` uses
    // (version 4, header length 5 words, TTL 64, ct state new).
    static Packet make(uint8_t protocol, uint32_t saddr, uint32_t daddr);
};

enum class Verdict : uint8_t { Accept, Drop, Reject };

struct LogEvent {
    Location location;
    std::optional<SyslogSeverity> severity; // syslog(...); none for log(...)
    std::string text;
};

struct NatEvent {
    Location location;
    ActionKind kind; // Dnat or Snat
    std::optional<Ip> address;
    std::optional<uint16_t> port;
};

struct Decision {
    Verdict verdict = Verdict::Accept;
    // The statement that decided: the drop/reject that stopped the chain, or
    // the accept (or dnat/snat) that ended its last function. None when the
    // chain is empty or its last function was a Nat that ended implicitly.
    std::optional<Location> location;
    std::string function; // the top-level function of `location`
    Packet packet;        // after any address translation
    std::vector<LogEvent> logs;
    std::vector<NatEvent> nat;
};

bool matches(const Expr& expr, const Packet& packet);

// Runs the chain's functions in order on `packet`.
Decision evaluate(const Program& program, const Chain& chain, const Packet& packet);

// Runs one top-level function. `decided` is false when a Filter reached its
// end without a verdict (possible only for functions that are on no chain).
struct FunctionResult {
    bool decided = false;
    Decision decision;
};
FunctionResult evaluate_function(const Program& program, size_t function, const Packet& packet);

} // namespace nacl::ir
