// Collection of top-level elements, member assignments and reference cycles.
#include "sema.hpp"

#include <algorithm>

namespace nacl::sema {

namespace {

const std::vector<std::pair<std::string, ElementKind>> kTypes = {
    {"Iface", ElementKind::Iface},         {"Gateway", ElementKind::Gateway},
    {"Conntrack", ElementKind::Conntrack}, {"Load_balancer", ElementKind::LoadBalancer},
    {"Syslog", ElementKind::Syslog},       {"Timer", ElementKind::Timer}};

const std::vector<std::string> kReserved = {"ip", "tcp", "udp", "icmp", "ct"};
const std::vector<std::string> kIfaceConfigs = {"static", "dhcp", "dhcp-with-fallback"};

std::vector<std::string> type_names() {
    std::vector<std::string> out;
    for (auto& [name, kind] : kTypes)
        out.push_back(name);
    return out;
}

} // namespace

void Sema::collect() {
    struct Candidate {
        Element element;
        Span type_span;
        std::string type;
    };
    std::vector<Candidate> candidates;
    for (auto& t : program_.typed) {
        Candidate c;
        c.element.name = t.name.text;
        c.element.name_span = t.name.span;
        c.element.span = t.span;
        c.element.value = &t.value;
        c.type = t.type.text;
        c.type_span = t.type.span;
        auto it = std::find_if(kTypes.begin(), kTypes.end(),
                               [&](auto& k) { return iequals(k.first, t.type.text); });
        if (it != kTypes.end()) {
            c.element.kind = it->second;
        } else {
            c.element.valid = false;
            if (iequals(t.type.text, "Filter") || iequals(t.type.text, "Nat")) {
                auto& d = diags_.error(t.type.span, "a function needs a subtype: `" + t.type.text + "::IP " +
                                                        t.name.text + " { ... }`");
                add_note(d, "the subtypes are IP, TCP, UDP and ICMP");
            } else {
                auto& d = diags_.error(t.type.span, "unknown type " + quoted(t.type.text));
                if (auto m = closest_match(t.type.text, type_names()))
                    add_help(d, "did you mean " + quoted(*m) + "?");
                add_note(d, "the types are Iface, Gateway, Conntrack, Load_balancer, Syslog and Timer");
            }
        }
        candidates.push_back(std::move(c));
    }
    for (auto& a : program_.assignments) {
        if (a.path.size() != 1) continue;
        Candidate c;
        c.element.name = a.path[0].text;
        c.element.name_span = a.path[0].span;
        c.element.span = a.span;
        c.element.value = &a.value;
        candidates.push_back(std::move(c));
    }
    for (auto& f : program_.functions) {
        Candidate c;
        c.element.kind = ElementKind::Function;
        c.element.name = f.name.text;
        c.element.name_span = f.name.span;
        c.element.span = f.span;
        c.element.function = &f;
        if (!iequals(f.head.kind.text, "Filter") && !iequals(f.head.kind.text, "Nat")) {
            auto& d = diags_.error(f.head.kind.span, "unknown function kind " + quoted(f.head.kind.text));
            if (auto m = closest_match(f.head.kind.text, {"Filter", "Nat"}))
                add_help(d, "did you mean " + quoted(*m) + "?");
            add_note(d, "functions are `Filter::...` or `Nat::...`");
            c.element.valid = false;
        }
        static const std::vector<std::string> subtypes = {"IP", "TCP", "UDP", "ICMP"};
        if (std::none_of(subtypes.begin(), subtypes.end(),
                         [&](auto& s) { return iequals(s, f.head.subtype.text); })) {
            auto& d =
                diags_.error(f.head.subtype.span, "unknown function subtype " + quoted(f.head.subtype.text));
            if (auto m = closest_match(f.head.subtype.text, subtypes))
                add_help(d, "did you mean " + quoted(*m) + "?");
            add_note(d, "the subtypes are IP, TCP, UDP and ICMP");
            c.element.valid = false;
        }
        candidates.push_back(std::move(c));
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](auto& a, auto& b) { return a.element.span.begin < b.element.span.begin; });

    for (auto& c : candidates) {
        Element& e = c.element;
        // The reference's own example is `Conntrack ct { ... }`: a Conntrack is
        // never referred to by name, so `ct` cannot clash with ct.state there.
        bool conntrack_ct = e.kind == ElementKind::Conntrack && lower(e.name) == "ct";
        if (!conntrack_ct &&
            std::find(kReserved.begin(), kReserved.end(), lower(e.name)) != kReserved.end()) {
            auto& d = diags_.error(e.name_span, quoted(e.name) + " cannot be used as a name");
            add_note(d, "ip, tcp, udp, icmp and ct are reserved for packet properties");
            continue;
        }
        auto [it, inserted] = elements_.try_emplace(e.name, std::move(e));
        if (!inserted) {
            auto& d = diags_.error(c.element.name_span, quoted(c.element.name) + " is defined twice");
            add_note(d, "first defined here", it->second.name_span);
            continue;
        }
        Element* element = &it->second;
        order_.push_back(element);
        Element** singleton = element->kind == ElementKind::Gateway     ? &gateway_
                              : element->kind == ElementKind::Conntrack ? &conntrack_
                              : element->kind == ElementKind::Syslog    ? &syslog_
                                                                        : nullptr;
        if (singleton && element->valid) {
            if (*singleton) {
                auto& d = diags_.error(c.type_span, "only one " + element_kind_name(element->kind) +
                                                        " is allowed in a configuration");
                add_note(d, "the first one is " + quoted((*singleton)->name), (*singleton)->name_span);
                element->valid = false;
            } else {
                *singleton = element;
            }
        }
    }

    // `Iface eth1 dhcp`: a bare configuration word stands for `{ config: dhcp }`
    // unless a user element of that name shadows it.
    for (Element* e : order_) {
        if (e->kind != ElementKind::Iface || !e->valid || !e->value->is_name() || e->value->path.size() != 1)
            continue;
        const std::string& word = e->value->path[0].text;
        if (find(word)) continue;
        if (std::none_of(kIfaceConfigs.begin(), kIfaceConfigs.end(),
                         [&](auto& w) { return iequals(w, word); }))
            continue;
        ast::Value object;
        object.kind = ast::Value::Kind::Object;
        object.span = e->value->span;
        ast::Ident key{"config", e->value->span};
        object.members.push_back({key, std::make_unique<ast::Value>(std::move(*e->value))});
        *e->value = std::move(object);
    }
}

void Sema::apply_member_assignments() {
    std::vector<ast::Assignment*> members;
    for (auto& a : program_.assignments)
        if (a.path.size() > 1) members.push_back(&a);
    // Shorter paths first, so `gw.r1.nexthop` finds `gw.r1` whatever the order
    // they were written in.
    std::stable_sort(members.begin(), members.end(),
                     [](auto* a, auto* b) { return a->path.size() < b->path.size(); });

    for (ast::Assignment* a : members) {
        const ast::Ident& root_name = a->path[0];
        Element* root = find(root_name.text);
        if (!root) {
            auto& d = diags_.error(root_name.span, "there is no element named " + quoted(root_name.text));
            std::vector<std::string> names;
            for (auto* e : order_)
                names.push_back(e->name);
            if (auto m = closest_match(root_name.text, names))
                add_help(d, "did you mean " + quoted(*m) + "?");
            continue;
        }
        if (!root->valid) continue;
        if (root->kind == ElementKind::Function) {
            diags_.error(a->path[1].span, quoted(root->name) + " is a function; functions have no members");
            continue;
        }
        ast::Value* current = root->value;
        std::string where = root->name;
        for (size_t i = 1; i < a->path.size(); ++i) {
            const ast::Ident& key = a->path[i];
            if (current->is_name()) {
                std::string rest;
                for (size_t k = i; k < a->path.size(); ++k)
                    rest += "." + a->path[k].text;
                auto& d = diags_.error(key.span, quoted(where) + " refers to " + quoted(current->dotted()) +
                                                     "; its members cannot be set through it");
                add_help(d, "set " + quoted(current->dotted() + rest) + " instead");
                break;
            }
            if (current->kind != ast::Value::Kind::Object) {
                diags_.error(key.span, quoted(where) + " is " + describe(*current) + ", it has no members");
                break;
            }
            auto member = std::find_if(current->members.begin(), current->members.end(),
                                       [&](auto& m) { return m.key.text == key.text; });
            bool last = i + 1 == a->path.size();
            if (last) {
                if (member != current->members.end()) {
                    auto& d = diags_.error(key.span, quoted(where + "." + key.text) + " is already set");
                    add_note(d, "set here", member->key.span);
                } else {
                    current->members.push_back({key, std::make_unique<ast::Value>(std::move(a->value))});
                }
                break;
            }
            if (member == current->members.end()) {
                auto& d = diags_.error(key.span, quoted(where) + " has no member " + quoted(key.text));
                std::vector<std::string> keys;
                for (auto& m : current->members)
                    keys.push_back(m.key.text);
                if (auto m = closest_match(key.text, keys)) add_help(d, "did you mean " + quoted(*m) + "?");
                break;
            }
            current = member->value.get();
            where += "." + key.text;
        }
    }
}

void Sema::find_reference_cycles() {
    // Resolving every constant once reports each cycle, used or not.
    // Resolving every constant once also reports names that stand for
    // nothing, even in constants nobody uses.
    static const std::vector<std::string> words = {"static", "dhcp",    "dhcp-with-fallback",
                                                   "emerg",  "alert",   "crit",
                                                   "err",    "warning", "notice",
                                                   "info",   "debug",   "timestamp",
                                                   "stats",  "memory",  "cpu",
                                                   "lb",     "timers",  "stack-sampling",
                                                   "iif",    "oif"};
    counting_uses_ = false;
    for (Element* e : order_) {
        if (e->kind != ElementKind::Constant || !e->valid || e->in_cycle) continue;
        for (const ast::Value* leaf : flatten(*e->value)) {
            if (!leaf->is_name() || find(leaf->path[0].text)) continue;
            const std::string& root = leaf->path[0].text;
            bool property = leaf->path.size() > 1 &&
                            (iequals(root, "ip") || iequals(root, "tcp") || iequals(root, "udp") ||
                             iequals(root, "icmp") || iequals(root, "ct"));
            bool word = leaf->path.size() == 1 &&
                        (predefined(root) ||
                         std::any_of(words.begin(), words.end(), [&](auto& w) { return iequals(w, root); }));
            if (!property && !word) report_undefined(*leaf, {});
        }
    }
    counting_uses_ = true;
}

} // namespace nacl::sema
