// The appliance runtime: a Config brought up on a network stack. Appliance::create() does every setup step
// (Ifaces, routes, forwarding, conntrack, NAT, chains on the hooks, syslog, timers) and then handles
// packets in one function per net::HookPoint. appliance::run() (config.hpp) creates one on the platform's
// default stack; current() and stop() let host tests look at it and take it down.
#pragma once

#include "appliance/config.hpp"
#include "appliance/conntrack/fragment_cache.hpp"
#include "appliance/conntrack/table.hpp"
#include "appliance/conntrack/tracker.hpp"
#include "appliance/nat/translator.hpp"
#include "appliance/platform.hpp"
#include "appliance/responses.hpp"
#include "appliance/rule_packet.hpp"
#include "appliance/syslog.hpp"
#include "appliance/text.hpp"

#include "net/hooks.hpp"
#include "net/stack.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

namespace appliance {

struct ApplianceCounters {
    std::array<std::uint64_t, 5> packets{}; // by Hook: datagrams each hook point saw
    std::uint64_t accepted = 0;             // chain verdicts (chains that ran)
    std::uint64_t dropped = 0;
    std::uint64_t rejected = 0;
    std::uint64_t unknown_interface = 0; // arrived on a NIC (or VLAN) that no Iface uses
    std::uint64_t not_forwarding = 0;    // to be routed, but arrived on an Iface no Gateway route names
    std::uint64_t malformed = 0;         // cut-short or self-contradicting transport headers
    std::uint64_t time_exceeded_suppressed = 0; // send_time_exceeded is false
    std::uint64_t mtu_exceeded = 0;             // larger than an Iface's configured MTU
    std::uint64_t nat_refused = 0;              // no unique binding: the packet was dropped
    std::uint64_t nat_ignored = 0;              // dnat/snat on ICMP errors, which follow their connection
    std::uint64_t nat_stateless = 0;            // dnat/snat on untracked packets: no reverse translation
    std::uint64_t masquerade_no_address = 0;    // the Iface had no address yet: dropped
    std::uint64_t masquerade_untracked = 0;     // left unmasqueraded: a protocol conntrack does not track
    std::uint64_t logs = 0;
    std::uint64_t syslogs = 0;
    std::uint64_t syslog_recursion = 0; // syslog(...) for the appliance's own syslog datagrams: skipped
    std::uint64_t unknown_rule = 0;     // rule indices outside the rule table
    std::uint64_t prepared_lookups = 0; // forward-chain table lookups done ahead for received bursts
    std::uint64_t prepared_used = 0;    // of them, answers the chain took (the packet's key was the guess)
    // A fragmented datagram's connection displaced from the fragment cache while its later fragments could
    // still come (they will be `invalid`).
    std::uint64_t fragments_forgotten = 0;
};

class Appliance {
public:
    // Null after printing why when the configuration cannot be honoured on this stack. The Config's spans
    // and strings must outlive the appliance (generated code keeps them in static storage).
    static std::unique_ptr<Appliance> create(const Config& config, net::Stack& stack, Platform& platform);
    ~Appliance();
    Appliance(const Appliance&) = delete;
    Appliance& operator=(const Appliance&) = delete;

    const Config& config() const { return config_; }
    net::Stack& stack() { return stack_; }
    // The net interface of Iface `i` (null when i is out of range).
    net::Interface* interface(std::size_t i) const;
    const ApplianceCounters& counters() const { return counters_; }
    std::uint64_t rule_hits(std::uint32_t rule) const;
    conntrack::ConntrackTable* conntrack_table() { return table_.get(); }
    const conntrack::Tracker* tracker() const { return tracker_.get(); }
    const nat::Translator* translator() const { return translator_.get(); }
    const Responder& responder() const { return responder_; }
    const SyslogSender* syslog_sender() const { return syslog_.get(); }

    // What a Timer prints (TimerData bits), to the console and, with a Syslog, to the collector.
    void report(std::uint32_t data, std::string_view timer_name);
    // Once a second: conntrack expiry (also run on the way by packets), and a warning for each of the stack's
    // full tables and queues (an Iface's ARP cache, ARP queue and transmit queue; the reassembly slots; the
    // packet pool) that evicted or dropped since the last time.
    void housekeeping();

private:
    friend class HookActions;
    struct IfaceRuntime;
    struct ChainList {
        std::uint32_t first = 0;
        std::uint32_t count = 0;
    };
    struct PacketState;
    struct TimerSlot {
        Appliance* appliance = nullptr;
        const TimerConfig* config = nullptr;
        Platform::TimerId id = Platform::TimerId::none;
    };

    Appliance(const Config& config, net::Stack& stack, Platform& platform);

    // Setup (setup/*.cpp).
    bool set_up();
    bool set_up_interfaces();
    bool set_up_interface(std::size_t index);
    bool set_up_routes();
    bool set_up_chains();
    bool set_up_conntrack();
    bool set_up_syslog();
    bool set_up_timers();
    void install_hooks();
    void print_summary();
    // A console line when DHCP changes an Iface's address (lease bound, fallback applied, lease lost).
    void report_address(net::Interface& iface, net::DhcpState state);

    // The packet path (firewall/*.cpp).
    template <net::HookPoint P>
    static net::Verdict hook(void* self, net::PacketInfo& info);
    net::Verdict on_packet(net::HookPoint point, net::PacketInfo& info);
    // A received burst (firewall/prepare.cpp): the forward chain's large table looked up for all of it.
    struct BurstState;
    static void burst_hook(void* self, const net::Interface& in, std::span<const net::PacketPtr> frames);
    void on_burst(const net::Interface& in, std::span<const net::PacketPtr> frames);
    classifier::PreparedMatch* prepared_for(const net::PacketInfo& info);
    bool track(PacketState& s);
    conntrack::Entry* entry_of(const PacketState& s) const;
    Decision run_chains(PacketState& s, RulePacket& rp, ChainList list); // list: chains_for(s), not empty
    ChainList chains_for(const PacketState& s) const;
    void fill_rule_packet(const PacketState& s, RulePacket& rp) const;
    void refresh_rule_packet(const PacketState& s, RulePacket& rp) const;
    net::Verdict refuse(PacketState& s, Verdict verdict);
    net::Verdict too_big(PacketState& s, std::uint16_t mtu);
    void forget_if_created(PacketState& s);
    void restore_as_arrived(PacketState& s);
    bool translate_after_chain(PacketState& s);
    bool masquerade(PacketState& s);
    void apply_translation(PacketState& s, bool source_side);
    void nat_action(PacketState& s, RulePacket& rp, NatKind kind, bool has_addr, std::uint32_t addr,
                    bool has_port, std::uint16_t port);
    void count_hit(std::uint32_t rule);
    void log_action(const RulePacket& rp, std::uint32_t rule, std::span<const LogArg> args);
    void syslog_action(const RulePacket& rp, std::uint32_t rule, Severity severity,
                       std::span<const LogArg> args);

    // The later of the stack's time and the platform's clock (the stack's stands still while idle).
    net::Instant timer_now() const;

    // Messages.
    void console(std::string_view line);
    void send_syslog(Severity severity, std::string_view msgid, std::span<const SyslogParam> params,
                     std::string_view sd_id, std::string_view text);
    void add_rule_location(Text& out, std::uint32_t rule) const;
    void warn_limited(std::uint64_t& last_second, std::uint64_t& suppressed, std::string_view text);
    static void on_timer(void* slot);
    static void on_housekeeping(void* self);

    // Statistics (stats.cpp).
    void report_line(std::string_view line);
    void report_stats();
    void report_conntrack(Text& t) const;
    void report_rules(Text& t) const;

    const Config& config_;
    net::Stack& stack_;
    Platform& platform_;
    std::unique_ptr<IfaceRuntime[]> ifaces_;
    std::array<std::uint8_t, net::Stack::max_interfaces> iface_of_net_{}; // net index -> Iface, no_iface
    std::unique_ptr<ChainFunction[]> chain_functions_;
    ChainList forward_chain_;
    PrepareFunction forward_prepare_ = nullptr; // the forward chain's first prepare function
    std::unique_ptr<BurstState> burst_;         // allocated when there is one
    std::unique_ptr<std::uint64_t[]> rule_hits_;

    std::unique_ptr<conntrack::ConntrackTable> table_;
    std::unique_ptr<conntrack::Tracker> tracker_;
    std::unique_ptr<nat::Translator> translator_;
    conntrack::FragmentCache fragments_;
    Responder responder_;
    std::unique_ptr<SyslogSender> syslog_;
    std::unique_ptr<TimerSlot[]> timers_;
    Platform::TimerId housekeeping_timer_ = Platform::TimerId::none;
    bool hooks_installed_ = false;

    // Per-packet bookkeeping that outlives one hook call.
    bool responding_ = false; // a reset or ICMP answer of ours is on its way through output
    int syslog_depth_ = 0;    // a syslog datagram of ours is on its way through output
    struct PendingReject {
        bool armed = false;
        conntrack::Tuple tuple{};
    } pending_reject_; // the datagram net/ is about to answer with admin-prohibited
    std::uint64_t full_log_second_ = ~std::uint64_t{0}, full_log_suppressed_ = 0;
    std::uint64_t fragment_log_second_ = ~std::uint64_t{0}, fragment_log_suppressed_ = 0;
    std::uint64_t reassembly_evicted_seen_ = 0, pool_exhausted_seen_ = 0; // as housekeeping() last saw them
    std::uint64_t nat_log_second_ = ~std::uint64_t{0}, nat_log_suppressed_ = 0;
    std::uint64_t syslog_log_second_ = ~std::uint64_t{0}, syslog_log_suppressed_ = 0;
    std::optional<LoopFigures> last_loop_;

    ApplianceCounters counters_;
};

// The appliance run() set up (null before, or after stop()).
Appliance* current();
// Takes the current appliance down (hooks, timers, socket), for host tests that run several configurations
// in one process. Interfaces and routes it configured stay as they are.
void stop();

} // namespace appliance
