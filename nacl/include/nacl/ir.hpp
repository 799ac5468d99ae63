#pragma once
// The IR: a typed, validated model of one appliance. It is the contract with
// the code generator and with `naclc test`; it holds no syntax and no C++.
//
// Every statement and rule carries its source Location (line:column in
// Program::file). Value sets are flattened, sorted and merged; names are
// resolved; defaults are filled in. See nacl/docs/ir-schema.md for the JSON.

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nacl::ir {

struct Location {
    uint32_t line = 0;
    uint32_t column = 0;
    auto operator<=>(const Location&) const = default;
};

// An IPv4 or IPv6 address, compared as (family, bytes).
struct Ip {
    bool v6 = false;
    std::array<uint8_t, 16> bytes{}; // IPv4 in the first 4 bytes, network order

    static Ip v4(uint32_t host_order);
    uint32_t to_v4() const;
    auto operator<=>(const Ip&) const = default;
};

// Inclusive ranges; a single value has low == high.
struct NumberRange {
    uint64_t low = 0;
    uint64_t high = 0;
    auto operator<=>(const NumberRange&) const = default;
};
struct AddressRange {
    Ip low, high; // same family
    auto operator<=>(const AddressRange&) const = default;
};

struct Prefix {
    Ip address;
    uint8_t length = 0;
    auto operator<=>(const Prefix&) const = default;
};

// The protocol a function or a field belongs to (a function's subtype).
enum class Protocol : uint8_t { Ip, Tcp, Udp, Icmp };

enum class Field : uint8_t {
    IpVersion,
    IpHdrLength,
    IpDscp,
    IpEcn,
    IpLength,
    IpId,
    IpFragOff,
    IpTtl,
    IpProtocol,
    IpChecksum,
    IpSaddr,
    IpDaddr,
    TcpSport,
    TcpDport,
    TcpSequence,
    TcpAckseq,
    TcpDoff,
    TcpReserved,
    TcpFlags,
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
inline constexpr size_t kFieldCount = size_t(Field::Oif) + 1;

// What kind of value a field holds; decides which member of Test is used.
enum class FieldType : uint8_t { Number, Address, TcpFlags, CtState, Iface };

struct FieldInfo {
    Field field;
    std::string_view name; // as written: "ip.saddr", "tcp.flags", "iif"
    Protocol protocol;     // the function subtype that may test it (Ip = any)
    FieldType type;
    uint64_t max; // largest value of a Number/TcpFlags/CtState field
};
const FieldInfo& field_info(Field f);

enum class CtState : uint8_t { New, Established, Related, Invalid, Untracked };

enum class TestOp : uint8_t {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    In,      // the field's value is in the set
    HasFlags // tcp.flags has every bit of `number` set (`syn in tcp.flags`)
};

// One typed test of a packet field. Scalars: `number` for Number, TcpFlags and
// CtState fields (the enum's value), `address` for Address fields, `iface` for
// Iface fields. Sets (op In): `numbers`, `addresses` or `ifaces`.
struct Test {
    Field field = Field::IpProtocol;
    TestOp op = TestOp::Eq;
    uint64_t number = 0;
    Ip address;
    std::string iface;
    std::vector<NumberRange> numbers;
    std::vector<AddressRange> addresses;
    std::vector<std::string> ifaces;
};

// A rule predicate: a small boolean tree over tests.
struct Expr {
    enum class Kind : uint8_t { And, Or, Not, Test };
    Kind kind = Kind::Test;
    std::vector<Expr> operands; // And/Or: two or more; Not: one
    Test test;
};

enum class FunctionKind : uint8_t { Filter, Nat };

enum class ActionKind : uint8_t { Accept, Drop, Reject, Log, Syslog, Dnat, Snat };

enum class SyslogSeverity : uint8_t { Emerg, Alert, Crit, Err, Warning, Notice, Info, Debug };

// A piece of a log/syslog message: literal text or a packet field.
struct LogArg {
    std::optional<Field> field;
    std::string text;
};

struct Action {
    ActionKind kind = ActionKind::Accept;
    SyslogSeverity severity = SyslogSeverity::Info; // Syslog
    std::vector<LogArg> args;                       // Log, Syslog
    std::optional<Ip> address;                      // Dnat, Snat
    std::optional<uint16_t> port;                   // Dnat, Snat
};

struct Statement;

struct Branch {
    Location location; // the `if` / `else if`
    Expr condition;
    std::vector<Statement> body;
};

struct Statement {
    enum class Kind : uint8_t { If, Action, Call, Nested };
    Kind kind = Kind::Action;
    Location location;
    std::vector<Branch> branches;           // If: `if`, then each `else if`
    bool has_else = false;                  // If
    std::vector<Statement> body;            // If: the else body; Nested: its body
    Action action;                          // Action
    size_t callee = 0;                      // Call: index in Program::functions
    Protocol nested_subtype = Protocol::Ip; // Nested
};

struct Function {
    std::string name;
    FunctionKind kind = FunctionKind::Filter;
    Protocol subtype = Protocol::Ip;
    Location location;
    std::vector<Statement> body;
};

enum class Hook : uint8_t { Prerouting, Input, Forward, Output, Postrouting };

struct ChainEntry {
    size_t function = 0; // index in Program::functions
    Location location;   // where it was put on the chain
};

// The functions run, in order, at one hook of one Iface (or the Gateway's
// forward hook, with an empty iface).
struct Chain {
    Hook hook = Hook::Forward;
    std::string iface;
    std::vector<ChainEntry> functions;
};

enum class IfaceConfig : uint8_t { Static, Dhcp, DhcpWithFallback };

struct Interface {
    std::string name;
    Location location;
    std::optional<uint32_t> index;  // NIC number
    std::optional<std::string> mac; // or the NIC's MAC, lower case
    std::optional<uint16_t> vlan;
    IfaceConfig config = IfaceConfig::Static;
    std::optional<Ip> address, netmask, gateway, dns;
    std::optional<uint32_t> mtu;
    bool masquerade = false;
    std::optional<uint32_t> buffer_limit, send_queue_limit;
    bool conntrack = false;  // a chain, masquerade or a route uses it
    bool forwarding = false; // named in a Gateway route
};

struct Route {
    std::string name; // empty in the list form
    Location location;
    Prefix destination;
    std::string iface;
    std::optional<Ip> nexthop; // none: on-link
    uint32_t cost = 100;
};

struct Gateway {
    std::string name;
    Location location;
    bool send_time_exceeded = false;
    std::vector<Route> routes; // in source order; lookup is longest prefix, then cost
};

struct ProtocolTimeouts {
    uint32_t tcp = 0, udp = 0, icmp = 0; // seconds
};

struct Conntrack {
    std::string name; // empty when defaults only
    std::optional<Location> location;
    uint32_t limit = 20000;
    uint32_t reserve = 0;
    bool stateful_tcp = false;
    ProtocolTimeouts unconfirmed{30, 30, 30};
    ProtocolTimeouts confirmed{120, 60, 30};
    ProtocolTimeouts established{432000, 180, 30};
};

enum class LbAlgorithm : uint8_t { RoundRobin, LeastConnections, SourceHash };

struct PoolNode {
    Location location;
    Ip address;
    uint16_t port = 0;
    uint32_t weight = 1;
};

struct HealthCheck {
    uint32_t interval = 5, timeout = 2, rise = 2, fall = 3;
};

struct LoadBalancer {
    std::string name;
    Location location;
    std::string layer = "tcp";
    std::string clients_iface;
    uint16_t clients_port = 0;
    uint32_t wait_queue_limit = 1000;
    uint32_t session_limit = 1000;
    std::string servers_iface;
    LbAlgorithm algorithm = LbAlgorithm::RoundRobin;
    std::vector<PoolNode> pool;
    std::optional<HealthCheck> health;
};

struct Syslog {
    std::string name;
    Location location;
    Ip address;
    uint16_t port = 514;
};

enum class TimerData : uint8_t { Timestamp, Stats, Memory, Cpu, Lb, Timers, StackSampling };

struct Timer {
    std::string name;
    Location location;
    uint32_t interval = 0; // seconds
    std::vector<TimerData> data;
};

struct Program {
    std::string file;                  // as given on the command line; "<stdin>" for `-`
    std::vector<Interface> interfaces; // in source order
    std::optional<Gateway> gateway;
    Conntrack conntrack;
    std::vector<LoadBalancer> load_balancers;
    std::optional<Syslog> syslog;
    std::vector<Timer> timers;
    std::vector<Function> functions; // named functions, in source order
    std::vector<Chain> chains; // per Iface in order (prerouting, input, output, postrouting), then forward

    const Function* find_function(std::string_view name) const;
    const Chain* find_chain(Hook hook, std::string_view iface) const;
};

// Names as written in the language and in the JSON.
std::string_view to_string(Protocol p);
std::string_view to_string(Hook h);
std::string_view to_string(CtState s);
std::string_view to_string(ActionKind a);
std::string_view to_string(SyslogSeverity s);
std::string_view to_string(IfaceConfig c);
std::string_view to_string(LbAlgorithm a);
std::string_view to_string(TimerData d);
std::string_view to_string(TestOp op);
std::string to_string(const Ip& ip);
std::string to_string(const AddressRange& r); // "a", "a/n" when a prefix, else "a-b"

} // namespace nacl::ir
