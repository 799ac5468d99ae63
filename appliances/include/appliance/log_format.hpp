// How log(...) and syslog(...) print packet properties: the way the language writes them (dotted quads,
// ct state names, TCP flag names, Iface names), everything else as a decimal number.
#pragma once

#include "appliance/config.hpp"
#include "appliance/rule_packet.hpp"
#include "appliance/text.hpp"

#include <span>

namespace appliance {

const char* to_string(CtState s);
const char* to_string(Severity s);
// "syn,ack"; "none" when no flag is set.
void add_tcp_flags(Text& out, std::uint16_t flags);
void add_field(Text& out, const RulePacket& packet, FieldId field, std::span<const IfaceConfig> ifaces);
void format_log(Text& out, const RulePacket& packet, std::span<const LogArg> args,
                std::span<const IfaceConfig> ifaces);

} // namespace appliance
