// The `naclc test` harness: runs the generated chains (compiled with -DHALITE_CHAINS_ONLY) on packets read
// from standard input and prints what they decided.
//   in:  one packet per line: `c<chain>` or `f<function>`, then the 33 field values in FieldId order
//   out: one line per packet: `<verdict 0|1|2> <rule or -1>`, then its side effects in order as
//        `L<rule>` (log), `S<rule>` (syslog), `N<rule>` (nat)
#include "appliance/config.hpp"
#include "harness_packet.hpp"

#include <cstdio>
#include <string>

namespace halite_generated {
extern const appliance::Config config;
extern const char* const function_names[];
extern const appliance::ChainFunction function_entries[];
extern const std::uint32_t function_count;
} // namespace halite_generated

namespace {

class RecordingSink final : public appliance::ActionSink {
public:
    std::string effects;

    void log(const appliance::RulePacket&, std::uint32_t rule, std::span<const appliance::LogArg>) override {
        effects += " L" + std::to_string(rule);
    }
    void syslog(const appliance::RulePacket&, std::uint32_t rule, appliance::Severity,
                std::span<const appliance::LogArg>) override {
        effects += " S" + std::to_string(rule);
    }
    void nat(appliance::RulePacket& packet, std::uint32_t rule, appliance::NatKind kind, bool has_addr,
             std::uint32_t addr, bool has_port, std::uint16_t port) override {
        effects += " N" + std::to_string(rule);
        bool dst = kind == appliance::NatKind::Dnat;
        if (has_addr) (dst ? packet.daddr : packet.saddr) = addr;
        if (has_port) (dst ? packet.dport : packet.sport) = port;
    }
};

} // namespace

int main() {
    char kind = 0;
    unsigned index = 0;
    while (std::scanf(" %c%u", &kind, &index) == 2) {
        std::uint64_t fields[appliance::field_count] = {};
        for (auto& f : fields)
            if (std::scanf("%lu", &f) != 1) return 2;
        appliance::ChainFunction function = nullptr;
        if (kind == 'c' && index < halite_generated::config.chains.size())
            function = halite_generated::config.chains[index].function;
        if (kind == 'f' && index < halite_generated::function_count)
            function = halite_generated::function_entries[index];
        if (!function) return 2;
        halite_harness::HarnessPacket packet;
        halite_harness::make_packet(fields, packet);
        RecordingSink sink;
        appliance::Decision d = function(packet.packet, sink);
        std::printf("%d %ld%s\n", int(d.verdict), d.rule == appliance::rule_none ? -1L : long(d.rule),
                    sink.effects.c_str());
    }
    return 0;
}
