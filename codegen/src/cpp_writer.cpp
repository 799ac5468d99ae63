#include "cpp_writer.hpp"

#include <cstdio>

namespace codegen {

using nacl::ir::ActionKind;
using nacl::ir::Field;
using nacl::ir::FieldType;
using nacl::ir::TestOp;

std::string quote(std::string_view text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20 || c == 0x7f || c == '?') { // '?' too: no trigraph-like surprises
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\%03o", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out + "\"";
}

std::string identifier(std::string_view name) {
    std::string out;
    for (char c : name)
        out += (c == '-') ? '_' : c;
    return out;
}

std::string where(const nacl::ir::Program& program, nacl::ir::Location l) {
    return program.file + ":" + std::to_string(l.line) + ":" + std::to_string(l.column);
}

std::string_view field_id_name(Field field) {
    static constexpr std::string_view names[] = {
        "IpVersion",   "IpHdrLength",  "IpDscp",     "IpEcn",       "IpLength",    "IpId",      "IpFragOff",
        "IpTtl",       "IpProtocol",   "IpChecksum", "IpSaddr",     "IpDaddr",     "TcpSport",  "TcpDport",
        "TcpSequence", "TcpAckseq",    "TcpDoff",    "TcpReserved", "TcpFlags",    "TcpWindow", "TcpChecksum",
        "TcpUrgptr",   "UdpSport",     "UdpDport",   "UdpLength",   "UdpChecksum", "IcmpType",  "IcmpCode",
        "IcmpId",      "IcmpSequence", "CtState",    "Iif",         "Oif"};
    static_assert(std::size(names) == nacl::ir::kFieldCount);
    return names[size_t(field)];
}

namespace {

// The RulePacket member of a field, or empty when it is read through get().
std::string_view member(Field f) {
    switch (f) {
    case Field::IpSaddr:
        return "p.saddr";
    case Field::IpDaddr:
        return "p.daddr";
    case Field::TcpSport:
    case Field::UdpSport:
        return "p.sport";
    case Field::TcpDport:
    case Field::UdpDport:
        return "p.dport";
    case Field::TcpFlags:
        return "p.tcp_flags";
    case Field::IpProtocol:
        return "p.protocol";
    case Field::IpTtl:
        return "p.ttl";
    case Field::IcmpType:
        return "p.icmp_type";
    case Field::IcmpCode:
        return "p.icmp_code";
    case Field::Iif:
        return "p.iif";
    case Field::Oif:
        return "p.oif";
    default:
        return {};
    }
}

std::string read_field(Field f) {
    if (f == Field::CtState) return "std::uint32_t(p.ct)";
    std::string_view m = member(f);
    if (!m.empty()) return std::string(m);
    return "std::uint32_t(p.get(FieldId::" + std::string(field_id_name(f)) + "))";
}

std::string dotted(uint32_t a) {
    return std::to_string(a >> 24) + "." + std::to_string(a >> 16 & 255) + "." +
           std::to_string(a >> 8 & 255) + "." + std::to_string(a & 255);
}

std::string hex(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08xu", v);
    return buf;
}

} // namespace

std::string read_dimension(const Dimension& d) {
    if (d.bit >= 0) return "std::uint32_t(p.tcp_flags >> " + std::to_string(d.bit) + " & 1u)";
    return read_field(d.field);
}

std::string ConditionWriter::constant(const Dimension& d, uint32_t v) {
    const auto& info = nacl::ir::field_info(d.field);
    switch (info.type) {
    case FieldType::Address:
        return hex(v) + " /* " + dotted(v) + " */";
    case FieldType::Iface:
        return std::to_string(v) + "u" +
               (v < program_.interfaces.size() ? " /* " + program_.interfaces[v].name + " */"
                                               : std::string());
    case FieldType::CtState:
        return std::to_string(v) + "u /* " + std::string(nacl::ir::to_string(nacl::ir::CtState(v))) + " */";
    default:
        return std::to_string(v) + "u";
    }
}

std::string ConditionWriter::membership(const Dimension& d, const std::string& value,
                                        const IntervalSet& set) {
    uint32_t max = dimension_max(d);
    if (set.empty()) return "false";
    if (covers_all(set, max)) return "true";
    if (set.size() > inline_set_limit_) {
        std::string name = "set_" + std::to_string(tables_.next_id++);
        std::string lows, highs;
        for (size_t i = 0; i < set.size(); ++i) {
            lows += (i % 8 == 0 ? "\n    " : " ") + std::to_string(set[i].low) + "u,";
            highs += (i % 8 == 0 ? "\n    " : " ") + std::to_string(set[i].high) + "u,";
        }
        tables_.text += "constexpr std::uint32_t " + name + "_lows[] = {" + lows + "\n};\n";
        tables_.text += "constexpr std::uint32_t " + name + "_highs[] = {" + highs + "\n};\n";
        tables_.text += "constexpr classifier::IntervalSet " + name + " = {" + name + "_lows, " + name +
                        "_highs, " + std::to_string(set.size()) + "};\n\n";
        return "classifier::contains(" + name + ", " + value + ")";
    }
    std::string out;
    for (const Interval& i : set) {
        std::string part;
        if (i.low == i.high)
            part = value + " == " + constant(d, i.low);
        else if (i.low == 0)
            part = value + " <= " + constant(d, i.high);
        else if (i.high == max)
            part = value + " >= " + constant(d, i.low);
        else
            part = "(" + value + " >= " + constant(d, i.low) + " && " + value + " <= " + constant(d, i.high) +
                   ")";
        out += (out.empty() ? "" : " || ") + part;
    }
    return set.size() > 1 ? "(" + out + ")" : out;
}

std::string ConditionWriter::test(const nacl::ir::Test& t) {
    if (t.op == TestOp::HasFlags) {
        std::string mask = std::to_string(t.number) + "u";
        return "(p.tcp_flags & " + mask + ") == " + mask;
    }
    Dimension d = dimension_of(t.field);
    std::string value = read_field(t.field);
    if (t.op == TestOp::Ne) {
        // Written as the negation of `==`, the way it reads in the source.
        nacl::ir::Test eq = t;
        eq.op = TestOp::Eq;
        IntervalSet set = test_values(eq, {&program_, 0});
        if (set.size() == 1 && set[0].low == set[0].high) return value + " != " + constant(d, set[0].low);
        std::string positive = membership(d, value, set);
        return positive == "false" ? "true" : "!(" + positive + ")";
    }
    return membership(d, value, test_values(t, {&program_, 0}));
}

std::string ConditionWriter::expr(const nacl::ir::Expr& e) {
    using Kind = nacl::ir::Expr::Kind;
    switch (e.kind) {
    case Kind::Test:
        return test(e.test);
    case Kind::Not:
        return "!(" + expr(e.operands.front()) + ")";
    case Kind::And:
    case Kind::Or: {
        std::string out = "(";
        for (size_t i = 0; i < e.operands.size(); ++i) {
            if (i) out += e.kind == Kind::And ? " && " : " || ";
            out += expr(e.operands[i]);
        }
        return out + ")";
    }
    }
    return "false";
}

std::string ConditionWriter::literal(const Literal& l) {
    if (!l.expr) return "p.protocol == " + std::to_string(l.protocol) + "u";
    std::string e = expr(*l.expr);
    return l.negated ? "!(" + e + ")" : e;
}

std::string ConditionWriter::guard(const std::vector<Literal>& literals) {
    std::string out;
    for (auto& l : literals)
        out += (out.empty() ? "" : " && ") + literal(l);
    return out;
}

namespace {

std::string log_args(const std::vector<nacl::ir::LogArg>& args, Tables& tables) {
    std::string name = "log_" + std::to_string(tables.next_id++);
    std::string text = "constexpr LogArg " + name + "[] = {";
    for (auto& a : args) {
        if (a.field)
            text += "{nullptr, FieldId::" + std::string(field_id_name(*a.field)) + "}, ";
        else
            text += "{" + quote(a.text) + ", FieldId::IpSaddr}, ";
    }
    if (args.empty()) text += "{\"\", FieldId::IpSaddr}, ";
    text.resize(text.size() - 2);
    tables.text += text + "};\n";
    return name;
}

std::string_view severity_name(nacl::ir::SyslogSeverity s) {
    static constexpr std::string_view names[] = {"Emerg",   "Alert",  "Crit", "Err",
                                                 "Warning", "Notice", "Info", "Debug"};
    return names[size_t(s)];
}

} // namespace

std::string effect_call(const nacl::ir::Program& program, const ActionRef& ref, Tables& tables) {
    const auto& a = *ref.action;
    std::string index = std::to_string(ref.index);
    std::string comment = " // " + where(program, ref.location);
    switch (a.kind) {
    case ActionKind::Log:
        return "a.log(p, " + index + ", " + log_args(a.args, tables) + ");" + comment;
    case ActionKind::Syslog:
        return "a.syslog(p, " + index + ", appliance::Severity::" + std::string(severity_name(a.severity)) +
               ", " + log_args(a.args, tables) + ");" + comment;
    case ActionKind::Dnat:
    case ActionKind::Snat: {
        std::string kind =
            a.kind == ActionKind::Dnat ? "appliance::NatKind::Dnat" : "appliance::NatKind::Snat";
        std::string addr =
            a.address ? "true, " + hex(a.address->to_v4()) + " /* " + dotted(a.address->to_v4()) + " */"
                      : std::string("false, 0u");
        std::string port = a.port ? "true, " + std::to_string(*a.port) : std::string("false, 0");
        return "a.nat(p, " + index + ", " + kind + ", " + addr + ", " + port + ");" + comment;
    }
    default:
        return {};
    }
}

uint32_t verdict_code(const ActionRef& ref) {
    switch (ref.action->kind) {
    case ActionKind::Drop:
        return 1;
    case ActionKind::Reject:
        return 2;
    default:
        return 0;
    }
}

std::string decision_value(const ActionRef& ref) {
    static constexpr const char* verdicts[] = {"Verdict::Accept", "Verdict::Drop", "Verdict::Reject"};
    return "{" + std::string(verdicts[verdict_code(ref)]) + ", " + std::to_string(ref.index) + "}";
}

std::string verdict_statement(const nacl::ir::Program& program, const ActionRef& ref, Tables& tables,
                              const std::string& indent) {
    std::string out;
    auto kind = ref.action->kind;
    if (kind == ActionKind::Dnat || kind == ActionKind::Snat) {
        out += indent + effect_call(program, ref, tables) + "\n";
        return out + indent + "return " + decision_value(ref) + ";\n";
    }
    return indent + "return " + decision_value(ref) + "; // " + where(program, ref.location) + "\n";
}

} // namespace codegen
