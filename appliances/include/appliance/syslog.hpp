// syslog(...) actions and statistics as RFC 5424 messages, one per UDP datagram (RFC 5426 3.1), to the
// Syslog element's address. Formatting is separate from sending so the format is tested on its own.
#pragma once

#include "appliance/rule_packet.hpp"
#include "appliance/text.hpp"

#include "net/stack.hpp"
#include "net/udp_socket.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace appliance {

struct SyslogParam {
    std::string_view name;
    std::string_view value;
};

struct SyslogMessage {
    Severity severity = Severity::Info;
    std::uint8_t facility = 1;           // RFC 5424 6.2.1: 1 = user-level messages
    std::optional<std::int64_t> time_ns; // UTC since 1970; nullopt: the NILVALUE "-" (no wall clock)
    std::string_view hostname;           // empty: "-"
    std::string_view app_name = "halite";
    std::string_view msgid; // empty: "-"
    std::string_view sd_id; // empty: no structured data ("-")
    std::span<const SyslogParam> params;
    std::string_view msg;
};

// RFC 5424 6: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG.
void format_rfc5424(Text& out, const SyslogMessage& m);
// RFC 3339 / RFC 5424 6.2.3: 2026-11-23T17:39:48.123456Z (UTC, microseconds).
void add_rfc3339(Text& out, std::int64_t unix_ns);

// The private enterprise number of Halite's structured data IDs: RFC 5612's number for documentation
// examples, until the project has its own.
inline constexpr std::string_view enterprise_number = "32473";

class SyslogSender {
public:
    // RFC 5426 3.2: messages fit a datagram the path carries; 2048 octets are always accepted by receivers.
    static constexpr std::size_t max_message = 1024;

    SyslogSender(net::Stack& stack, net::Ipv4Address collector, std::uint16_t port)
        : stack_(stack), socket_(stack), collector_{collector, port} {}

    net::ErrorOr<void> open() { return socket_.bind(0); }
    bool send(std::string_view message);
    // The address messages leave from (the HOSTNAME field, RFC 5424 6.2.4), unspecified when unknown.
    net::Ipv4Address source_address() const;
    net::UdpEndpoint collector() const { return collector_; }

    std::uint64_t sent() const { return sent_; }
    std::uint64_t failed() const { return failed_; }
    net::Error last_error() const { return last_error_; }

private:
    net::Stack& stack_;
    net::UdpSocket socket_;
    net::UdpEndpoint collector_;
    std::uint64_t sent_ = 0;
    std::uint64_t failed_ = 0;
    net::Error last_error_ = net::Error::NotConfigured;
};

} // namespace appliance
