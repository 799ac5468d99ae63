// The DHCP client state machine (RFC 2131 4.4), free of I/O: it is fed time and messages and answers with
// what to send and how to (re)configure the interface. Interface wires it to UDP and configure().
#pragma once

#include "net/ipv4_address.hpp"
#include "net/nic.hpp"
#include "net/time.hpp"
#include "net/wire/dhcp.hpp"

#include <chrono>
#include <cstdint>
#include <optional>

namespace net {

struct StaticConfig {
    Ipv4Address address;
    Ipv4Address netmask;
    Ipv4Address gateway; // unspecified: no default route
};

struct DhcpConfig {
    // Give up and apply `fallback` (when set) if no lease is bound this long after start.
    Duration timeout = std::chrono::seconds(30);
    std::optional<StaticConfig> fallback;
    // Seeds the transaction ids (RFC 2131 4.1 wants them random; the image has no entropy source here).
    std::uint32_t xid_seed = 0;
};

enum class DhcpState : std::uint8_t { Idle, Selecting, Requesting, Bound, Renewing, Rebinding, FellBack };
const char* to_string(DhcpState s);

class DhcpClient {
public:
    DhcpClient(MacAddress mac, DhcpConfig config);

    struct Action {
        std::optional<wire::DhcpRepr> send;
        Ipv4Address send_to = Ipv4Address::broadcast(); // the server when renewing, else broadcast
        enum class Configure : std::uint8_t { None, Apply, Remove } configure = Configure::None;
        StaticConfig config; // for Apply
    };

    Action start(Instant now);
    // Retransmissions and lease timers (T1, T2, expiry) and the fallback timeout.
    Action poll(Instant now);
    // A message received on UDP port 68 of this interface.
    Action on_message(const wire::DhcpRepr& msg, Instant now);

    std::optional<Instant> next_deadline() const;
    DhcpState state() const { return state_; }
    // Whether the interface should accept datagrams to port 68 before it has an address (RFC 2131 3.1).
    bool accepting() const { return state_ != DhcpState::Idle && state_ != DhcpState::FellBack; }
    const StaticConfig& lease() const { return lease_; }

private:
    Action send_discover(Instant now);
    Action send_request(Instant now);
    void arm_retransmit(Instant now);
    wire::DhcpRepr base_message(std::uint8_t type) const;

    MacAddress mac_;
    DhcpConfig config_;
    DhcpState state_ = DhcpState::Idle;
    std::uint32_t xid_;
    Instant started_{};
    Instant retransmit_at_{};
    Duration backoff_{};
    bool fallback_pending_ = false;

    // Lease.
    StaticConfig lease_;
    Ipv4Address offered_;
    Ipv4Address server_;
    Instant bound_at_{};
    Instant t1_{}, t2_{}, expiry_{};
    bool infinite_ = false;
};

} // namespace net
