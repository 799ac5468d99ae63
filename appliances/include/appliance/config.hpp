// What a compiled configuration hands to the appliance runtime: plain data plus the generated chain
// functions. codegen/ emits one `constexpr`-friendly Config and `int main() { return appliance::run(cfg); }`;
// the runtime (appliances/) does every imperative step of the setup on the platform's network stack.
#pragma once

#include "appliance/rule_packet.hpp"

#include <cstdint>
#include <span>

namespace appliance {

enum class AddressSource : std::uint8_t { Static, Dhcp, DhcpWithFallback };

// One Iface, in the IR's order (its position is the iface index rules and chains use).
struct IfaceConfig {
    const char* name = "";
    std::int32_t nic_index = -1; // -1: select the NIC by `mac`
    const char* mac = nullptr;   // "c0:01:0a:00:00:2a" or null
    std::uint16_t vlan = 0;      // 0: not a VLAN sub-interface
    AddressSource source = AddressSource::Static;
    std::uint32_t address = 0, netmask = 0, gateway = 0, dns = 0; // host order; 0 = not set
    std::uint32_t mtu = 0;                                        // 0 = the NIC's
    bool masquerade = false;
    std::uint32_t buffer_limit = 0, send_queue_limit = 0; // 0 = defaults
    bool conntrack = false;                               // track connections on this Iface
    bool forwarding = false;                              // named by a Gateway route
};

struct RouteConfig {
    std::uint32_t network = 0; // host order, host bits clear
    std::uint8_t prefix_length = 0;
    std::uint8_t iface = 0;    // index into Config::ifaces
    std::uint32_t nexthop = 0; // 0: on-link
    std::uint32_t cost = 100;
};

enum class Hook : std::uint8_t { Prerouting, Input, Forward, Output, Postrouting };

struct ChainConfig {
    Hook hook = Hook::Forward;
    std::uint8_t iface = no_iface; // the Iface whose hook this is; no_iface for the Gateway's forward chain
    ChainFunction function = nullptr;
    PrepareFunction prepare = nullptr; // when the chain has a table large enough to look up bursts ahead
};

struct ProtocolTimeouts {
    std::uint32_t tcp = 0, udp = 0, icmp = 0; // seconds
};

struct ConntrackConfig {
    std::uint32_t limit = 20000;
    std::uint32_t reserve = 0;
    bool stateful_tcp = false;
    ProtocolTimeouts unconfirmed{30, 30, 30};
    ProtocolTimeouts confirmed{120, 60, 30};
    ProtocolTimeouts established{432000, 180, 30};
};

struct SyslogConfig {
    bool enabled = false; // false: syslog(...) actions print to the console
    std::uint32_t address = 0;
    std::uint16_t port = 514;
};

enum TimerData : std::uint32_t {
    timer_timestamp = 1u << 0,
    timer_stats = 1u << 1,
    timer_memory = 1u << 2,
    timer_cpu = 1u << 3,
    timer_lb = 1u << 4,
    timer_timers = 1u << 5,
    timer_stack_sampling = 1u << 6,
};

struct TimerConfig {
    const char* name = "";
    std::uint32_t interval_seconds = 1;
    std::uint32_t data = 0; // TimerData bits
};

struct Config {
    std::span<const IfaceConfig> ifaces;
    bool gateway = false; // a Gateway exists: forwarding on for its route Ifaces
    bool send_time_exceeded = false;
    std::span<const RouteConfig> routes;
    std::span<const ChainConfig> chains;
    ConntrackConfig conntrack;
    SyslogConfig syslog;
    std::span<const TimerConfig> timers;
    std::span<const RuleInfo> rules; // indexed by Decision::rule and the ActionSink's `rule`
    const char* source_file = "";
};

// Sets the appliance up on the platform's network stack (interfaces, routes, conntrack, NAT, hooks,
// syslog, timers) and returns 0 so the event loop runs; a configuration the platform cannot honour (a NIC
// that does not exist...) prints a clear console line and returns non-zero.
int run(const Config& config);

} // namespace appliance
