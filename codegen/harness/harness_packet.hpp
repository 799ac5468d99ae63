// The host harness's packets: a RulePacket built from the reference evaluator's packet model (every field
// value as given, nacl::ir::Packet order = appliance::FieldId order), with IPv4 and transport header bytes
// that hold every field, so RulePacket::get reads what the evaluator reads.
#pragma once

#include "appliance/rule_packet.hpp"

#include <array>
#include <cstddef>
#include <cstdint>

namespace halite_harness {

struct HarnessPacket {
    std::array<std::byte, 80> bytes{}; // IPv4 header (20..60 bytes), then 20 bytes of transport header
    appliance::RulePacket packet;
};

// fields[i] is the value of FieldId i (CtState, Iif and Oif included: iif/oif are Iface indices).
void make_packet(const std::uint64_t (&fields)[appliance::field_count], HarnessPacket& out);

} // namespace halite_harness
