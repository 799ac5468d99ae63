// Functions: call graph (recursion), statements, actions, nesting rules,
// unreachable statements.
#include "shadow.hpp"

#include <algorithm>
#include <deque>

namespace nacl::sema {

namespace {

const std::vector<std::string> kActions = {"accept", "drop", "reject", "log", "syslog", "dnat", "snat"};

std::optional<ir::Protocol> parse_subtype(std::string_view s) {
    if (iequals(s, "ip")) return ir::Protocol::Ip;
    if (iequals(s, "tcp")) return ir::Protocol::Tcp;
    if (iequals(s, "udp")) return ir::Protocol::Udp;
    if (iequals(s, "icmp")) return ir::Protocol::Icmp;
    return std::nullopt;
}

std::string subtype_text(ir::Protocol p) {
    switch (p) {
    case ir::Protocol::Ip:
        return "IP";
    case ir::Protocol::Tcp:
        return "TCP";
    case ir::Protocol::Udp:
        return "UDP";
    case ir::Protocol::Icmp:
        return "ICMP";
    }
    return "IP";
}

std::string kind_text(ir::FunctionKind k) {
    return k == ir::FunctionKind::Filter ? "Filter" : "Nat";
}

// Inside IP anything may run; inside TCP/UDP/ICMP only IP or the same protocol.
bool may_contain(ir::Protocol outer, ir::Protocol inner) {
    return outer == ir::Protocol::Ip || inner == ir::Protocol::Ip || inner == outer;
}

// A nested or called function runs for every packet of the outer one.
bool always_runs(ir::Protocol outer, ir::Protocol inner) {
    return inner == ir::Protocol::Ip || inner == outer;
}

bool is_action(std::string_view name) {
    return std::any_of(kActions.begin(), kActions.end(), [&](auto& a) { return iequals(a, name); });
}

void collect_calls(Sema& sema, const ast::Block& block, std::vector<Sema::CallSite>& out) {
    for (auto& s : block.statements) {
        switch (s.kind) {
        case ast::Statement::Kind::If:
            for (auto& b : s.branches)
                collect_calls(sema, b.body, out);
            if (s.else_body) collect_calls(sema, *s.else_body, out);
            break;
        case ast::Statement::Kind::Nested:
            collect_calls(sema, *s.body, out);
            break;
        case ast::Statement::Kind::Action:
            if (is_action(s.name.text)) break;
            if (Element* e = sema.find(s.name.text); e && e->kind == ElementKind::Function && e->valid)
                out.push_back({e->ir_index, s.name.span});
            break;
        }
    }
}

// The code generators expand every call in place (a called function is compiled once per call site), so
// a few functions that each call the next twice grow exponentially. A function into which its calls copy
// more than this many statements is an error: it would exhaust the compiler's memory instead. (A large
// function without calls is not limited: its size is the input's.)
constexpr uint64_t kMaxCopiedStatements = 1'000'000;
constexpr uint64_t kSaturated = uint64_t(1) << 62;

uint64_t saturating_add(uint64_t a, uint64_t b) {
    return b > kSaturated - std::min(a, kSaturated) ? kSaturated : a + b;
}

// The statements of `body` with every call expanded (`expanded[f]` for callee f), or with `expanded`
// empty as written (a call is one statement).
uint64_t expanded_size(const std::vector<ir::Statement>& body, const std::vector<uint64_t>& expanded) {
    uint64_t n = 0;
    for (const auto& s : body) {
        n = saturating_add(n, 1);
        switch (s.kind) {
        case ir::Statement::Kind::If:
            for (const auto& b : s.branches)
                n = saturating_add(n, expanded_size(b.body, expanded));
            n = saturating_add(n, expanded_size(s.body, expanded));
            break;
        case ir::Statement::Kind::Nested:
            n = saturating_add(n, expanded_size(s.body, expanded));
            break;
        case ir::Statement::Kind::Call:
            n = saturating_add(n, s.callee < expanded.size() ? expanded[s.callee] : 0);
            break;
        case ir::Statement::Kind::Action:
            break;
        }
    }
    return n;
}

std::string count_text(uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

} // namespace

// Reported once, at the innermost functions over the limit (their callers are over it because of them).
void Sema::check_call_expansion(const std::vector<size_t>& order,
                                const std::vector<std::vector<CallSite>>& calls) {
    std::vector<uint64_t> expanded(functions_.size(), 0), copied(functions_.size(), 0);
    for (size_t f : order) { // callees first; functions in a recursion count their calls as 0
        expanded[f] = expanded_size(ir_.functions[f].body, expanded);
        copied[f] = expanded[f] - expanded_size(ir_.functions[f].body, {});
    }
    for (size_t f : order) {
        // Over the limit, so `f` has calls (copied[f] counts only what they add).
        if (copied[f] <= kMaxCopiedStatements) continue;
        const auto& sites = calls[f];
        if (std::any_of(sites.begin(), sites.end(),
                        [&](const CallSite& c) { return copied[c.callee] > kMaxCopiedStatements; }))
            continue;
        const CallSite& largest =
            *std::max_element(sites.begin(), sites.end(), [&](const auto& a, const auto& b) {
                return expanded[a.callee] < expanded[b.callee];
            });
        auto& d = diags_.error(functions_[f]->name_span,
                               "the calls in " + quoted(functions_[f]->name) + " copy more than " +
                                   count_text(kMaxCopiedStatements) + " statements into it");
        add_note(d,
                 "each call is compiled as a copy of the called function; " +
                     quoted(functions_[largest.callee]->name) + " has " +
                     count_text(expanded[largest.callee]) + " statements with its own calls expanded",
                 largest.span);
        add_help(d, "call large functions from fewer places, or put their rules on a chain of their own");
    }
}

void Sema::build_functions() {
    for (Element* e : order_) {
        if (e->kind != ElementKind::Function || !e->valid) continue;
        if (is_action(e->name)) {
            auto& d =
                diags_.error(e->name_span, quoted(e->name) + " is an action and cannot name a function");
            add_help(d, "choose another name");
            e->valid = false;
            continue;
        }
        e->ir_index = functions_.size();
        functions_.push_back(e);
        ir::Function f;
        f.name = e->name;
        f.kind =
            iequals(e->function->head.kind.text, "Nat") ? ir::FunctionKind::Nat : ir::FunctionKind::Filter;
        f.subtype = *parse_subtype(e->function->head.subtype.text);
        f.location = ir_location(e->name_span);
        ir_.functions.push_back(std::move(f));
    }
    size_t n = functions_.size();
    facts_.assign(n, {});

    // Callees first (Kahn's algorithm on the call graph); what is left over
    // calls itself through some path.
    std::vector<std::vector<CallSite>> calls(n);
    std::vector<std::vector<size_t>> callers(n);
    std::vector<size_t> pending(n, 0);
    for (size_t i = 0; i < n; ++i) {
        collect_calls(*this, functions_[i]->function->body, calls[i]);
        std::vector<size_t> distinct;
        for (auto& c : calls[i])
            distinct.push_back(c.callee);
        std::sort(distinct.begin(), distinct.end());
        distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
        pending[i] = distinct.size();
        for (size_t callee : distinct)
            callers[callee].push_back(i);
    }
    std::deque<size_t> ready;
    for (size_t i = 0; i < n; ++i)
        if (pending[i] == 0) ready.push_back(i);
    std::vector<size_t> order;
    while (!ready.empty()) {
        size_t f = ready.front();
        ready.pop_front();
        order.push_back(f);
        for (size_t caller : callers[f])
            if (--pending[caller] == 0) ready.push_back(caller);
    }
    std::vector<bool> done(n, false);
    for (size_t f : order)
        done[f] = true;
    std::vector<bool> reported(n, false);
    for (size_t start = 0; start < n; ++start) {
        if (done[start] || reported[start]) continue;
        // Follow calls among the left-over functions until one repeats.
        std::vector<size_t> path{start};
        std::vector<Span> sites;
        while (true) {
            size_t at = path.back();
            auto next =
                std::find_if(calls[at].begin(), calls[at].end(), [&](auto& c) { return !done[c.callee]; });
            if (next == calls[at].end()) break;
            auto seen = std::find(path.begin(), path.end(), next->callee);
            sites.push_back(next->span);
            if (seen != path.end()) {
                size_t first = static_cast<size_t>(seen - path.begin());
                bool already = std::any_of(seen, path.end(), [&](size_t f) { return reported[f]; });
                if (!already) {
                    std::string text;
                    for (size_t k = first; k < path.size(); ++k)
                        text += quoted(functions_[path[k]]->name) + " -> ";
                    text += quoted(functions_[next->callee]->name);
                    auto& d = diags_.error(sites[first],
                                           path.size() - first == 1
                                               ? quoted(functions_[path[first]]->name) + " calls itself"
                                               : "recursive call: " + text);
                    add_note(d, "a function may not call itself, directly or through other functions");
                    for (size_t k = first; k < path.size(); ++k)
                        reported[path[k]] = true;
                }
                break;
            }
            path.push_back(next->callee);
        }
        reported[start] = true;
    }
    for (size_t i = 0; i < n; ++i)
        if (!done[i]) order.push_back(i);

    for (size_t index : order) {
        Element* e = functions_[index];
        ir::Function& f = ir_.functions[index];
        FunctionScope scope{e, f.kind, f.subtype, &facts_[index]};
        if (e->function->body.statements.empty()) {
            facts_[index].empty = true;
            auto& d =
                diags_.error(e->function->body.span, kind_text(f.kind) + " " + quoted(e->name) + " is empty");
            add_help(d, "a function needs at least one statement, for example `accept`");
        }
        bool decides = false;
        f.body = convert_block(e->function->body, scope, decides);
        facts_[index].decides = decides;
        facts_[index].converted = true;
        // Checked on the parsed statement, not on text: the last top-level
        // statement must be a verdict for the function to go on a chain.
        const auto& body = e->function->body.statements;
        if (!body.empty()) {
            const ast::Statement& last = body.back();
            facts_[index].last_statement = last.span;
            facts_[index].ends_with_verdict =
                last.kind == ast::Statement::Kind::Action &&
                (iequals(last.name.text, "accept") || iequals(last.name.text, "drop") ||
                 iequals(last.name.text, "reject"));
        }
        // The body is in the IR now; freeing its AST keeps the peak memory of a
        // large configuration at one of the two, not both.
        std::vector<ast::Statement>().swap(e->function->body.statements);
    }
    check_call_expansion(order, calls);
}

std::vector<ir::Statement> Sema::convert_block(const ast::Block& block, FunctionScope& scope, bool& decides) {
    std::vector<ir::Statement> out;
    out.reserve(block.statements.size());
    ShadowChecker shadows(*this);
    const ast::Statement* decider = nullptr;
    bool warned = false;
    for (auto& s : block.statements) {
        if (decider && !warned) {
            auto& d = diags_.warning(s.span, "this statement is never reached");
            add_note(d, "every packet is already decided by this statement", decider->span);
            warned = true;
        }
        bool d = false;
        auto converted = convert_statement(s, scope, d);
        if (converted) {
            if (converted->kind == ir::Statement::Kind::If && !decider) {
                // Whether the first branch alone decides: its body decides.
                bool first = !branch_decides_.empty() && branch_decides_.front();
                shadows.add(*converted, s, first);
            }
            out.push_back(std::move(*converted));
        }
        if (d && !decider) decider = &s;
    }
    decides = decider != nullptr;
    return out;
}

std::optional<ir::Statement> Sema::convert_statement(const ast::Statement& s, FunctionScope& scope,
                                                     bool& decides) {
    ir::Statement out;
    out.location = ir_location(s.span);
    decides = false;
    switch (s.kind) {
    case ast::Statement::Kind::If: {
        out.kind = ir::Statement::Kind::If;
        bool ok = true, all = true;
        std::vector<bool> branch_decides;
        for (auto& b : s.branches) {
            ir::Branch branch;
            branch.location = ir_location(b.span);
            auto cond = convert_condition(b.condition, scope);
            ok = ok && cond.has_value();
            if (cond) branch.condition = std::move(*cond);
            bool bd = false;
            branch.body = convert_block(b.body, scope, bd);
            branch_decides.push_back(bd);
            all = all && bd;
            out.branches.push_back(std::move(branch));
        }
        if (s.else_body) {
            bool ed = false;
            out.has_else = true;
            out.body = convert_block(*s.else_body, scope, ed);
            all = all && ed;
        }
        decides = all && s.else_body != nullptr;
        branch_decides_ = std::move(branch_decides);
        if (!ok) return std::nullopt;
        return out;
    }
    case ast::Statement::Kind::Nested: {
        out.kind = ir::Statement::Kind::Nested;
        auto sub = parse_subtype(s.head.subtype.text);
        bool ok = true;
        ir::FunctionKind kind =
            iequals(s.head.kind.text, "Nat") ? ir::FunctionKind::Nat : ir::FunctionKind::Filter;
        if (!iequals(s.head.kind.text, "Filter") && !iequals(s.head.kind.text, "Nat")) {
            diags_.error(s.head.kind.span, "unknown function kind " + quoted(s.head.kind.text));
            ok = false;
        } else if (kind != scope.kind) {
            auto& d =
                diags_.error(s.head.kind.span, "a " + kind_text(scope.kind) + " function cannot contain a " +
                                                   kind_text(kind) + " block");
            add_note(d, "nested functions must be of the same kind as the function around them");
            ok = false;
        }
        if (!sub) {
            diags_.error(s.head.subtype.span, "unknown function subtype " + quoted(s.head.subtype.text));
            ok = false;
            sub = scope.subtype;
        } else if (ok && !may_contain(scope.subtype, *sub)) {
            auto& d = diags_.error(s.head.subtype.span, "a " + kind_text(scope.kind) +
                                                            "::" + subtype_text(scope.subtype) +
                                                            " function cannot contain a " + kind_text(kind) +
                                                            "::" + subtype_text(*sub) + " block");
            add_note(d, "inside " + subtype_text(scope.subtype) + " only IP or " +
                            subtype_text(scope.subtype) + " blocks may be nested");
            ok = false;
        }
        if (s.body->statements.empty()) {
            diags_.error(s.body->span, "this nested function is empty");
            ok = false;
        }
        FunctionScope inner = scope;
        inner.subtype = *sub;
        bool bd = false;
        out.nested_subtype = *sub;
        out.body = convert_block(*s.body, inner, bd);
        decides = bd && always_runs(scope.subtype, *sub);
        if (!ok) return std::nullopt;
        return out;
    }
    case ast::Statement::Kind::Action:
        return convert_action(s, scope, decides);
    }
    return std::nullopt;
}

std::optional<ir::Statement> Sema::convert_action(const ast::Statement& s, FunctionScope& scope,
                                                  bool& decides) {
    ir::Statement out;
    out.location = ir_location(s.span);
    out.kind = ir::Statement::Kind::Action;
    std::string name = lower(s.name.text);
    auto index = std::find(kActions.begin(), kActions.end(), name);
    if (index == kActions.end()) {
        // A call of another function.
        Element* e = find(s.name.text);
        if (!e) {
            auto& d = diags_.error(s.name.span, quoted(s.name.text) + " is not an action or a function");
            std::vector<std::string> candidates = kActions;
            for (auto* f : functions_)
                candidates.push_back(f->name);
            if (auto m = closest_match(s.name.text, candidates))
                add_help(d, "did you mean " + quoted(*m) + "?");
            return std::nullopt;
        }
        if (e->kind != ElementKind::Function) {
            auto& d = diags_.error(s.name.span,
                                   quoted(e->name) + " is " + (e->kind == ElementKind::Iface ? "an " : "a ") +
                                       element_kind_name(e->kind) + "; only functions can be called");
            add_note(d, quoted(e->name) + " is defined here", e->name_span);
            return std::nullopt;
        }
        if (!e->valid) return std::nullopt;
        if (!s.args.empty()) {
            diags_.error(s.args.front().span, "a function call takes no arguments");
            return std::nullopt;
        }
        ++e->uses;
        const ir::Function& callee = ir_.functions[e->ir_index];
        if (callee.kind != scope.kind) {
            auto& d = diags_.error(s.name.span, "a " + kind_text(scope.kind) + " function cannot call the " +
                                                    kind_text(callee.kind) + " function " + quoted(e->name));
            add_note(d, "calls must stay within one kind (Filter or Nat)");
            return std::nullopt;
        }
        if (!may_contain(scope.subtype, callee.subtype)) {
            auto& d =
                diags_.error(s.name.span, "a " + kind_text(scope.kind) + "::" + subtype_text(scope.subtype) +
                                              " function cannot call " + quoted(e->name) + ", a " +
                                              kind_text(callee.kind) + "::" + subtype_text(callee.subtype));
            add_note(d, "inside " + subtype_text(scope.subtype) + " only IP or " +
                            subtype_text(scope.subtype) + " functions may be called");
            return std::nullopt;
        }
        out.kind = ir::Statement::Kind::Call;
        out.callee = e->ir_index;
        const FunctionFacts& f = facts_[e->ir_index];
        decides = f.converted && f.decides && always_runs(scope.subtype, callee.subtype);
        scope.facts->uses_dnat |= f.uses_dnat;
        scope.facts->uses_snat |= f.uses_snat;
        scope.facts->uses_iif |= f.uses_iif;
        scope.facts->uses_oif |= f.uses_oif;
        return out;
    }

    ir::Action& a = out.action;
    a.kind = static_cast<ir::ActionKind>(index - kActions.begin());
    bool filter_only = a.kind == ir::ActionKind::Accept || a.kind == ir::ActionKind::Drop ||
                       a.kind == ir::ActionKind::Reject;
    bool nat_only = a.kind == ir::ActionKind::Dnat || a.kind == ir::ActionKind::Snat;
    if (filter_only && scope.kind != ir::FunctionKind::Filter) {
        auto& d = diags_.error(s.name.span, quoted(name) + " is a Filter action");
        add_note(d, "a Nat function can use dnat, snat, log and syslog; it accepts implicitly at its end");
        return std::nullopt;
    }
    if (nat_only && scope.kind != ir::FunctionKind::Nat) {
        auto& d = diags_.error(s.name.span, quoted(name) + " is a Nat action");
        add_note(d, "a Filter function can use accept, drop, reject, log and syslog");
        return std::nullopt;
    }
    if (filter_only) {
        if (!s.args.empty()) {
            diags_.error(s.args.front().span, quoted(name) + " takes no arguments");
            return std::nullopt;
        }
        decides = true;
        return out;
    }
    bool ok = true;
    auto log_args = [&](size_t first) {
        for (size_t i = first; i < s.args.size(); ++i) {
            const ast::Value& arg = s.args[i];
            if (auto f = property(arg, scope, true)) {
                a.args.push_back({*f, ""});
                continue;
            }
            const ast::Value* d = deref(arg);
            if (!d) {
                ok = false;
                continue;
            }
            if (d->is_name() && d->path.size() > 1) {
                ok = false; // an unknown property, already reported
                continue;
            }
            if (d->kind != ast::Value::Kind::String) {
                if (d->is_name() && !find(d->path[0].text))
                    report_undefined(*d, {});
                else
                    diags_.error(arg.span,
                                 quoted(name) + " prints strings and packet properties, not " + describe(*d));
                ok = false;
                continue;
            }
            a.args.push_back({std::nullopt, d->text});
        }
    };
    switch (a.kind) {
    case ir::ActionKind::Log:
        if (s.args.empty()) {
            auto& d = diags_.error(s.span, "`log` needs something to print");
            add_help(d, "for example `log(\"dropped \", ip.saddr, \"\\n\")`");
            return std::nullopt;
        }
        log_args(0);
        break;
    case ir::ActionKind::Syslog: {
        static const std::vector<std::string> severities = {"emerg",   "alert",  "crit", "err",
                                                            "warning", "notice", "info", "debug"};
        if (s.args.size() < 2) {
            auto& d = diags_.error(s.span, "`syslog` needs a severity and a message");
            add_help(d, "for example `syslog(warning, \"dropped \", ip.saddr)`");
            return std::nullopt;
        }
        auto sev = read_word(s.args[0], severities, "syslog severity");
        if (!sev)
            ok = false;
        else
            a.severity = static_cast<ir::SyslogSeverity>(*sev);
        log_args(1);
        break;
    }
    default: { // dnat, snat
        auto usage = [&] {
            auto& d =
                diags_.error(s.span, quoted(name) + " takes an address, a port, or an address and a port");
            add_help(d, "for example `" + name + "(10.0.0.1)`, `" + name + "(8080)` or `" + name +
                            "(10.0.0.1, 8080)`");
            return std::nullopt;
        };
        if (s.args.empty() || s.args.size() > 2) return usage();
        const ast::Value* first = deref(s.args[0]);
        if (!first) return std::nullopt;
        const ast::Value* port_arg = nullptr;
        if (s.args.size() == 2) {
            a.address = read_ipv4(s.args[0], "the address of `" + name + "`");
            ok = ok && a.address;
            port_arg = &s.args[1];
        } else if (first->kind == ast::Value::Kind::Address) {
            a.address = read_ipv4(s.args[0], "the address of `" + name + "`");
            ok = ok && a.address;
        } else {
            port_arg = &s.args[0];
        }
        if (port_arg) {
            auto port = read_integer(*port_arg, 1, 65535, "the port of `" + name + "`");
            if (!port)
                ok = false;
            else
                a.port = static_cast<uint16_t>(*port);
            if (port && scope.subtype != ir::Protocol::Tcp && scope.subtype != ir::Protocol::Udp) {
                auto& d = diags_.error(port_arg->span,
                                       "a port can only be rewritten in a Nat::TCP or Nat::UDP function");
                add_help(d, "put it in a nested `Nat::TCP { ... }` block");
                ok = false;
            }
        }
        (a.kind == ir::ActionKind::Dnat ? scope.facts->uses_dnat : scope.facts->uses_snat) = true;
        decides = true;
        break;
    }
    }
    if (!ok) return std::nullopt;
    return out;
}

} // namespace nacl::sema
