// Chains: functions put on Iface hooks and on the Gateway's forward hook.
#include "sema.hpp"

#include <algorithm>

namespace nacl::sema {

namespace {

std::string hook_text(ir::Hook h) {
    return std::string(ir::to_string(h));
}

} // namespace

void Sema::build_chains() {
    // Chains in a stable order: per Iface in source order, its hooks in
    // packet order, then the forward chain.
    std::vector<ir::Chain> chains;
    for (const ChainRequest& req : chain_requests_) {
        std::string where = req.hook == ir::Hook::Forward
                                ? "the forward chain"
                                : "the " + hook_text(req.hook) + " chain of " + quoted(req.iface);
        ir::Chain chain;
        chain.hook = req.hook;
        chain.iface = req.iface;
        const ast::Value* d = deref(*req.value);
        if (!d) continue;
        std::vector<const ast::Value*> names;
        if (d->kind == ast::Value::Kind::List)
            names = flatten(*d, false);
        else
            names.push_back(req.value);
        for (const ast::Value* v : names) {
            Element* e = read_element(*v, ElementKind::Function, "each entry of " + where);
            if (!e) continue;
            ++e->uses;
            const ir::Function& f = ir_.functions[e->ir_index];
            const FunctionFacts& facts = facts_[e->ir_index];
            std::string kind = f.kind == ir::FunctionKind::Filter ? "Filter" : "Nat";
            bool ok = true;
            if (f.subtype != ir::Protocol::Ip) {
                std::string sub = f.subtype == ir::Protocol::Tcp   ? "TCP"
                                  : f.subtype == ir::Protocol::Udp ? "UDP"
                                                                   : "ICMP";
                auto& d2 = diags_.error(v->span, quoted(e->name) + " is a " + kind + "::" + sub + "; only " +
                                                     kind + "::IP functions can be put on a chain");
                add_help(d2, "wrap it: `" + kind + "::IP name { " + e->name + " accept }` or nest it in a " +
                                 kind + "::IP function");
                ok = false;
            }
            if (f.kind == ir::FunctionKind::Nat && req.hook == ir::Hook::Forward) {
                auto& d2 = diags_.error(v->span, "the forward chain runs Filters only; " + quoted(e->name) +
                                                     " is a Nat");
                add_help(d2, "put Nat functions on an Iface's prerouting (dnat) or postrouting (snat) chain");
                ok = false;
            }
            if (f.kind == ir::FunctionKind::Filter && ok && !facts.empty && !facts.ends_with_verdict) {
                auto& d2 = diags_.error(v->span, "Filter " + quoted(e->name) + " is on " + where +
                                                     " but does not end with `accept` or `drop`");
                add_note(d2, "a Filter on a chain must end with a verdict, so every packet gets one",
                         facts.last_statement);
                ok = false;
            }
            // Address rewriting has a place: dnat before routing, snat after.
            if (facts.uses_dnat && (req.hook == ir::Hook::Postrouting || req.hook == ir::Hook::Input)) {
                auto& d2 =
                    diags_.error(v->span, quoted(e->name) + " uses dnat, which cannot run on " + where);
                add_note(d2, "dnat runs on prerouting or output, before the route is chosen");
                ok = false;
            }
            if (facts.uses_snat && (req.hook == ir::Hook::Prerouting || req.hook == ir::Hook::Output)) {
                auto& d2 =
                    diags_.error(v->span, quoted(e->name) + " uses snat, which cannot run on " + where);
                add_note(d2, "snat runs on postrouting or input, after the route is chosen");
                ok = false;
            }
            if (facts.uses_oif && (req.hook == ir::Hook::Prerouting || req.hook == ir::Hook::Input)) {
                auto& d2 =
                    diags_.error(v->span, quoted(e->name) + " tests `oif`, which is not known on " + where);
                add_note(d2, "the outgoing Iface is known on forward, output and postrouting");
                ok = false;
            }
            if (facts.uses_iif && req.hook == ir::Hook::Output) {
                auto& d2 =
                    diags_.error(v->span, quoted(e->name) + " tests `iif`, which is not known on " + where);
                add_note(d2, "packets on output are made by the appliance; they came in on no Iface");
                ok = false;
            }
            if (ok) chain.functions.push_back({e->ir_index, ir_location(v->span)});
        }
        if (req.hook != ir::Hook::Forward) {
            for (auto& iface : ir_.interfaces)
                if (iface.name == req.iface) iface.conntrack = true;
        }
        chains.push_back(std::move(chain));
    }
    auto rank = [&](const ir::Chain& c) {
        size_t iface = ir_.interfaces.size();
        for (size_t i = 0; i < ir_.interfaces.size(); ++i)
            if (ir_.interfaces[i].name == c.iface) iface = i;
        static const int hook_rank[] = {0, 1, 4, 2, 3}; // prerouting, input, forward, output, postrouting
        return std::pair<size_t, int>(c.hook == ir::Hook::Forward ? ir_.interfaces.size() : iface,
                                      hook_rank[int(c.hook)]);
    };
    std::stable_sort(chains.begin(), chains.end(), [&](auto& a, auto& b) { return rank(a) < rank(b); });
    ir_.chains = std::move(chains);
}

} // namespace nacl::sema
