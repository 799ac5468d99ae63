#include "codegen/flatten.hpp"

namespace codegen {

using nacl::ir::ActionKind;
using nacl::ir::Protocol;
using nacl::ir::Statement;

uint8_t protocol_number(Protocol p) {
    switch (p) {
    case Protocol::Tcp:
        return 6;
    case Protocol::Udp:
        return 17;
    case Protocol::Icmp:
        return 1;
    case Protocol::Ip:
        break;
    }
    return 0;
}

std::vector<size_t> top_level_functions(const nacl::ir::Program& program) {
    std::vector<size_t> out;
    for (size_t i = 0; i < program.functions.size(); ++i)
        if (program.functions[i].subtype == Protocol::Ip) out.push_back(i);
    return out;
}

namespace {

bool is_verdict(ActionKind k) {
    return k != ActionKind::Log && k != ActionKind::Syslog;
}

// A nested or called function of `sub` runs for every packet of a function of subtype `context`.
bool always_runs(Protocol sub, Protocol context) {
    return sub == Protocol::Ip || sub == context;
}

bool statement_decides(const nacl::ir::Program& program, const Statement& s, Protocol context) {
    switch (s.kind) {
    case Statement::Kind::Action:
        return is_verdict(s.action.kind);
    case Statement::Kind::If:
        if (!s.has_else || !always_decides(program, s.body, context)) return false;
        for (auto& b : s.branches)
            if (!always_decides(program, b.body, context)) return false;
        return true;
    case Statement::Kind::Nested:
        return always_runs(s.nested_subtype, context) &&
               always_decides(program, s.body, s.nested_subtype == Protocol::Ip ? context : s.nested_subtype);
    case Statement::Kind::Call: {
        const auto& f = program.functions[s.callee];
        return always_runs(f.subtype, context) &&
               always_decides(program, f.body, f.subtype == Protocol::Ip ? context : f.subtype);
    }
    }
    return false;
}

struct Flattener {
    const nacl::ir::Program& program;
    const std::string& function_name;
    uint32_t& next_index;
    std::vector<RuleEntry>& table;
    std::vector<Rule>& rules;

    ActionRef take(const Statement& s) {
        table.push_back({function_name, s.location});
        return {&s.action, s.location, next_index++};
    }

    void flush(const std::vector<Literal>& path, std::vector<ActionRef>& pending) {
        if (pending.empty()) return;
        rules.push_back({path, std::move(pending), std::nullopt});
        pending.clear();
    }

    // Every statement is visited, also after a verdict (it is unreachable, but both generators must
    // number the same actions).
    void body(const std::vector<Statement>& statements, const std::vector<Literal>& path, Protocol context) {
        std::vector<ActionRef> pending;
        for (const Statement& s : statements) {
            switch (s.kind) {
            case Statement::Kind::Action:
                if (!is_verdict(s.action.kind)) {
                    pending.push_back(take(s));
                } else {
                    rules.push_back({path, std::move(pending), take(s)});
                    pending.clear();
                }
                break;
            case Statement::Kind::If: {
                flush(path, pending);
                std::vector<Literal> negations;
                for (auto& branch : s.branches) {
                    std::vector<Literal> inner = path;
                    inner.insert(inner.end(), negations.begin(), negations.end());
                    inner.push_back({&branch.condition, false, 0});
                    body(branch.body, inner, context);
                    // A branch that always decides needs no negation below it: when its condition held,
                    // an earlier rule already won.
                    if (!always_decides(program, branch.body, context))
                        negations.push_back({&branch.condition, true, 0});
                }
                if (s.has_else) {
                    std::vector<Literal> inner = path;
                    inner.insert(inner.end(), negations.begin(), negations.end());
                    body(s.body, inner, context);
                }
                break;
            }
            case Statement::Kind::Nested:
            case Statement::Kind::Call: {
                flush(path, pending);
                bool nested = s.kind == Statement::Kind::Nested;
                Protocol sub = nested ? s.nested_subtype : program.functions[s.callee].subtype;
                const auto& inner_body = nested ? s.body : program.functions[s.callee].body;
                if (always_runs(sub, context)) {
                    body(inner_body, path, sub == Protocol::Ip ? context : sub);
                } else {
                    std::vector<Literal> inner = path;
                    inner.push_back({nullptr, false, protocol_number(sub)});
                    body(inner_body, inner, sub);
                }
                break;
            }
            }
        }
        flush(path, pending);
    }
};

} // namespace

bool always_decides(const nacl::ir::Program& program, const std::vector<Statement>& body, Protocol context) {
    for (auto& s : body)
        if (statement_decides(program, s, context)) return true;
    return false;
}

FlatFunction flatten(const nacl::ir::Program& program, size_t function, uint32_t& next_index,
                     std::vector<RuleEntry>& table) {
    FlatFunction out{function, {}};
    const auto& f = program.functions[function];
    Flattener flattener{program, f.name, next_index, table, out.rules};
    flattener.body(f.body, {}, f.subtype);
    return out;
}

} // namespace codegen
