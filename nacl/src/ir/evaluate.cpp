#include "nacl/evaluate.hpp"

#include <algorithm>

namespace nacl::ir {

Packet Packet::make(uint8_t protocol, uint32_t saddr, uint32_t daddr) {
    Packet p;
    p.set(Field::IpVersion, 4);
    p.set(Field::IpHdrLength, 5);
    p.set(Field::IpTtl, 64);
    p.set(Field::IpProtocol, protocol);
    p.set(Field::IpSaddr, saddr);
    p.set(Field::IpDaddr, daddr);
    p.set(Field::CtState, uint64_t(CtState::New));
    return p;
}

namespace {

constexpr uint64_t kTcp = 6, kUdp = 17, kIcmp = 1;

bool runs_on(Protocol subtype, const Packet& p) {
    switch (subtype) {
    case Protocol::Ip:
        return true;
    case Protocol::Tcp:
        return p.get(Field::IpProtocol) == kTcp;
    case Protocol::Udp:
        return p.get(Field::IpProtocol) == kUdp;
    case Protocol::Icmp:
        return p.get(Field::IpProtocol) == kIcmp;
    }
    return false;
}

bool compare(TestOp op, uint64_t a, uint64_t b) {
    switch (op) {
    case TestOp::Eq:
        return a == b;
    case TestOp::Ne:
        return a != b;
    case TestOp::Lt:
        return a < b;
    case TestOp::Gt:
        return a > b;
    case TestOp::Le:
        return a <= b;
    case TestOp::Ge:
        return a >= b;
    default:
        return false;
    }
}

bool test(const Test& t, const Packet& p) {
    const FieldInfo& info = field_info(t.field);
    switch (info.type) {
    case FieldType::Iface: {
        const std::string& name = t.field == Field::Iif ? p.iif : p.oif;
        if (t.op == TestOp::In) return std::find(t.ifaces.begin(), t.ifaces.end(), name) != t.ifaces.end();
        return t.op == TestOp::Eq ? name == t.iface : name != t.iface;
    }
    case FieldType::Address: {
        // Filters see IPv4 packets: an IPv6 value never equals them.
        Ip a = Ip::v4(static_cast<uint32_t>(p.get(t.field)));
        if (t.op == TestOp::In)
            return std::any_of(t.addresses.begin(), t.addresses.end(),
                               [&](auto& r) { return !r.low.v6 && r.low <= a && a <= r.high; });
        if (t.address.v6) return t.op == TestOp::Ne;
        return compare(t.op, a.to_v4(), t.address.to_v4());
    }
    default: {
        uint64_t v = p.get(t.field);
        if (t.op == TestOp::HasFlags) return (v & t.number) == t.number;
        if (t.op == TestOp::In)
            return std::any_of(t.numbers.begin(), t.numbers.end(),
                               [&](auto& r) { return r.low <= v && v <= r.high; });
        return compare(t.op, v, t.number);
    }
    }
}

std::string log_text(const std::vector<LogArg>& args, const Packet& p) {
    std::string out;
    for (auto& arg : args) {
        if (!arg.field) {
            out += arg.text;
            continue;
        }
        const FieldInfo& info = field_info(*arg.field);
        switch (info.type) {
        case FieldType::Address:
            out += to_string(Ip::v4(static_cast<uint32_t>(p.get(*arg.field))));
            break;
        case FieldType::Iface:
            out += *arg.field == Field::Iif ? p.iif : p.oif;
            break;
        case FieldType::CtState:
            out += to_string(CtState(p.get(*arg.field)));
            break;
        default:
            out += std::to_string(p.get(*arg.field));
            break;
        }
    }
    return out;
}

enum class Outcome { Continue, Accept, Drop, Reject };

struct Run {
    const Program& program;
    Decision& decision;
    Location decided_at;

    Outcome body(const std::vector<Statement>& statements, Protocol subtype) {
        for (auto& s : statements) {
            Outcome o = statement(s, subtype);
            if (o != Outcome::Continue) return o;
        }
        return Outcome::Continue;
    }

    Outcome statement(const Statement& s, Protocol subtype) {
        Packet& p = decision.packet;
        switch (s.kind) {
        case Statement::Kind::If:
            for (auto& b : s.branches)
                if (matches(b.condition, p)) return body(b.body, subtype);
            return s.has_else ? body(s.body, subtype) : Outcome::Continue;
        case Statement::Kind::Nested:
            return runs_on(s.nested_subtype, p) ? body(s.body, s.nested_subtype) : Outcome::Continue;
        case Statement::Kind::Call: {
            const Function& f = program.functions[s.callee];
            return runs_on(f.subtype, p) ? body(f.body, f.subtype) : Outcome::Continue;
        }
        case Statement::Kind::Action:
            break;
        }
        const Action& a = s.action;
        switch (a.kind) {
        case ActionKind::Accept:
            decided_at = s.location;
            return Outcome::Accept;
        case ActionKind::Drop:
            decided_at = s.location;
            return Outcome::Drop;
        case ActionKind::Reject:
            decided_at = s.location;
            return Outcome::Reject;
        case ActionKind::Log:
            decision.logs.push_back({s.location, std::nullopt, log_text(a.args, p)});
            return Outcome::Continue;
        case ActionKind::Syslog:
            decision.logs.push_back({s.location, a.severity, log_text(a.args, p)});
            return Outcome::Continue;
        case ActionKind::Dnat:
        case ActionKind::Snat: {
            bool dst = a.kind == ActionKind::Dnat;
            if (a.address) p.set(dst ? Field::IpDaddr : Field::IpSaddr, a.address->to_v4());
            if (a.port) {
                bool tcp = p.get(Field::IpProtocol) == kTcp;
                Field f = tcp ? (dst ? Field::TcpDport : Field::TcpSport)
                              : (dst ? Field::UdpDport : Field::UdpSport);
                p.set(f, *a.port);
            }
            decision.nat.push_back({s.location, a.kind, a.address, a.port});
            decided_at = s.location;
            return Outcome::Accept;
        }
        }
        return Outcome::Continue;
    }
};

} // namespace

bool matches(const Expr& e, const Packet& p) {
    switch (e.kind) {
    case Expr::Kind::Test:
        return test(e.test, p);
    case Expr::Kind::Not:
        return !matches(e.operands.front(), p);
    case Expr::Kind::And:
        return std::all_of(e.operands.begin(), e.operands.end(), [&](auto& o) { return matches(o, p); });
    case Expr::Kind::Or:
        return std::any_of(e.operands.begin(), e.operands.end(), [&](auto& o) { return matches(o, p); });
    }
    return false;
}

FunctionResult evaluate_function(const Program& program, size_t index, const Packet& packet) {
    FunctionResult result;
    result.decision.packet = packet;
    const Function& f = program.functions[index];
    Run run{program, result.decision, {}};
    Outcome o = runs_on(f.subtype, packet) ? run.body(f.body, f.subtype) : Outcome::Continue;
    if (o == Outcome::Continue) {
        // A Nat function accepts implicitly at its end.
        result.decided = f.kind == FunctionKind::Nat;
        result.decision.verdict = Verdict::Accept;
        return result;
    }
    result.decided = true;
    result.decision.verdict = o == Outcome::Drop     ? Verdict::Drop
                              : o == Outcome::Reject ? Verdict::Reject
                                                     : Verdict::Accept;
    result.decision.location = run.decided_at;
    result.decision.function = f.name;
    return result;
}

Decision evaluate(const Program& program, const Chain& chain, const Packet& packet) {
    Decision d;
    d.packet = packet;
    for (auto& entry : chain.functions) {
        FunctionResult r = evaluate_function(program, entry.function, d.packet);
        d.packet = r.decision.packet;
        d.logs.insert(d.logs.end(), r.decision.logs.begin(), r.decision.logs.end());
        d.nat.insert(d.nat.end(), r.decision.nat.begin(), r.decision.nat.end());
        d.verdict = r.decision.verdict;
        d.location = r.decision.location;
        d.function = r.decision.function;
        if (d.verdict != Verdict::Accept) break;
    }
    return d;
}

} // namespace nacl::ir
