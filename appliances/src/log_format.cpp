#include "appliance/log_format.hpp"

namespace appliance {

const char* to_string(CtState s) {
    switch (s) {
    case CtState::New:
        return "new";
    case CtState::Established:
        return "established";
    case CtState::Related:
        return "related";
    case CtState::Invalid:
        return "invalid";
    case CtState::Untracked:
        return "untracked";
    }
    return "?";
}

const char* to_string(Severity s) {
    switch (s) {
    case Severity::Emerg:
        return "emerg";
    case Severity::Alert:
        return "alert";
    case Severity::Crit:
        return "crit";
    case Severity::Err:
        return "err";
    case Severity::Warning:
        return "warning";
    case Severity::Notice:
        return "notice";
    case Severity::Info:
        return "info";
    case Severity::Debug:
        return "debug";
    }
    return "?";
}

void add_tcp_flags(Text& out, std::uint16_t flags) {
    // The language's names, in bit order (fin 0x01 ... cwr 0x80, ns 0x100).
    static constexpr const char* names[] = {"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns"};
    bool first = true;
    for (unsigned bit = 0; bit < 9; ++bit) {
        if ((flags & (1u << bit)) == 0) continue;
        if (!first) out.add(',');
        out.add(names[bit]);
        first = false;
    }
    if (first) out.add("none");
}

void add_field(Text& out, const RulePacket& p, FieldId f, std::span<const IfaceConfig> ifaces) {
    switch (f) {
    case FieldId::IpSaddr:
    case FieldId::IpDaddr:
        out.add_ipv4(static_cast<std::uint32_t>(p.get(f)));
        return;
    case FieldId::CtState:
        out.add(to_string(p.ct));
        return;
    case FieldId::TcpFlags:
        add_tcp_flags(out, static_cast<std::uint16_t>(p.get(f)));
        return;
    case FieldId::Iif:
    case FieldId::Oif: {
        const std::uint8_t i = f == FieldId::Iif ? p.iif : p.oif;
        out.add(i < ifaces.size() ? std::string_view(ifaces[i].name) : std::string_view("-"));
        return;
    }
    default:
        out.add_number(p.get(f));
        return;
    }
}

void format_log(Text& out, const RulePacket& p, std::span<const LogArg> args,
                std::span<const IfaceConfig> ifaces) {
    for (const LogArg& a : args) {
        if (a.text != nullptr) {
            out.add(a.text);
        } else {
            add_field(out, p, a.field, ifaces);
        }
    }
}

} // namespace appliance
