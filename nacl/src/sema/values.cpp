// Name resolution and typed reading of values.
#include "sema.hpp"

#include <algorithm>
#include <set>

namespace nacl::sema {

namespace {

bool is_property_root(std::string_view s) {
    return iequals(s, "ip") || iequals(s, "tcp") || iequals(s, "udp") || iequals(s, "icmp") ||
           iequals(s, "ct");
}

// Resolution deeper than this is reported instead of followed, so a long
// chain of aliases cannot exhaust the stack.
constexpr size_t kMaxDerefDepth = 256;

} // namespace

Element* Sema::find(std::string_view name) {
    auto it = elements_.find(std::string(name));
    return it == elements_.end() ? nullptr : &it->second;
}

void Sema::report_cycle(const std::vector<std::string>& names) {
    // Start the cycle at the element defined first, so the report is the same
    // whichever element led to it.
    size_t start = 0;
    for (size_t i = 1; i < names.size(); ++i)
        if (find(names[i])->name_span.begin < find(names[start])->name_span.begin) start = i;
    std::string text;
    for (size_t i = 0; i <= names.size(); ++i)
        text += (i ? " -> " : "") + quoted(names[(start + i) % names.size()]);
    for (auto& n : names)
        find(n)->in_cycle = true;
    std::vector<std::string> key = names;
    std::sort(key.begin(), key.end());
    std::string joined;
    for (auto& k : key)
        joined += k + ",";
    if (std::find(reported_cycles_.begin(), reported_cycles_.end(), joined) != reported_cycles_.end()) return;
    reported_cycles_.push_back(joined);
    auto& d = diags_.error(find(names[start])->name_span, "reference cycle: " + text);
    add_note(d, "a name must stand for a value in the end, not for itself");
}

const ast::Value* Sema::deref(const ast::Value& value) {
    const ast::Value* current = &value;
    size_t pushed = 0;
    const ast::Value* result = nullptr;
    while (true) {
        if (!current->is_name() || (current->path.size() > 1 && is_property_root(current->path[0].text))) {
            result = current;
            break;
        }
        Element* e = find(current->path[0].text);
        if (!e) {
            result = current;
            break;
        }
        if (!e->valid || e->in_cycle) break;
        if (e->kind != ElementKind::Constant && current->path.size() == 1) {
            result = current; // an element by name: an Iface, a function...
            if (counting_uses_) ++e->uses;
            break;
        }
        if (e->kind == ElementKind::Function) {
            diags_.error(current->path[1].span,
                         quoted(e->name) + " is a function; functions have no members");
            break;
        }
        auto seen = std::find(deref_stack_.begin(), deref_stack_.end(), current);
        if (seen != deref_stack_.end()) {
            std::vector<std::string> names;
            for (auto it = seen; it != deref_stack_.end(); ++it) {
                std::string root = (*it)->path[0].text;
                if (names.empty() || names.back() != root) names.push_back(root);
            }
            if (names.size() > 1 && names.front() == names.back()) names.pop_back();
            report_cycle(names);
            break;
        }
        if (deref_stack_.size() >= kMaxDerefDepth) {
            auto& d = diags_.error(current->span, "this name goes through too many other names to resolve");
            add_note(d, "at most " + std::to_string(kMaxDerefDepth) + " steps are followed");
            break;
        }
        deref_stack_.push_back(current);
        ++pushed;
        if (counting_uses_) ++e->uses;
        // Walk the member path through objects (each step resolved in turn).
        const ast::Value* target = e->value;
        std::string where = e->name;
        bool failed = false;
        for (size_t i = 1; i < current->path.size() && !failed; ++i) {
            target = deref(*target);
            if (!target) {
                failed = true;
                break;
            }
            const ast::Ident& key = current->path[i];
            if (target->kind != ast::Value::Kind::Object) {
                diags_.error(key.span, quoted(where) + " is " + describe(*target) + ", it has no members");
                failed = true;
                break;
            }
            auto m = std::find_if(target->members.begin(), target->members.end(),
                                  [&](auto& member) { return member.key.text == key.text; });
            if (m == target->members.end()) {
                auto& d = diags_.error(key.span, quoted(where) + " has no member " + quoted(key.text));
                std::vector<std::string> keys;
                for (auto& member : target->members)
                    keys.push_back(member.key.text);
                if (auto best = closest_match(key.text, keys))
                    add_help(d, "did you mean " + quoted(*best) + "?");
                failed = true;
                break;
            }
            target = m->value.get();
            where += "." + key.text;
        }
        if (failed) break;
        current = target;
    }
    deref_stack_.resize(deref_stack_.size() - pushed);
    return result;
}

std::vector<const ast::Value*> Sema::flatten(const ast::Value& value, bool open_objects) {
    std::vector<const ast::Value*> out;
    struct Frame {
        const ast::Value* container;
        size_t next;
        const ast::Value* via; // the name that led here, for cycle reports (or nullptr)
    };
    std::vector<Frame> stack;
    auto visit = [&](const ast::Value& v) {
        const ast::Value* d = deref(v);
        if (!d) return;
        if (d->kind != ast::Value::Kind::List && (d->kind != ast::Value::Kind::Object || !open_objects)) {
            out.push_back(d);
            return;
        }
        const ast::Value* via = v.is_name() ? &v : nullptr;
        auto again = std::find_if(stack.begin(), stack.end(), [&](auto& f) { return f.container == d; });
        if (again != stack.end()) {
            std::vector<std::string> names;
            for (auto it = again + 1; it != stack.end(); ++it)
                if (it->via && find(it->via->path[0].text)) names.push_back(it->via->path[0].text);
            if (via && find(via->path[0].text)) names.push_back(via->path[0].text);
            if (!names.empty()) report_cycle(names);
            return;
        }
        stack.push_back({d, 0, via});
    };
    visit(value);
    while (!stack.empty()) {
        Frame& top = stack.back();
        const ast::Value* c = top.container;
        size_t count = c->kind == ast::Value::Kind::List ? c->items.size() : c->members.size();
        if (top.next == count) {
            stack.pop_back();
            continue;
        }
        const ast::Value& child =
            c->kind == ast::Value::Kind::List ? c->items[top.next] : *c->members[top.next].value;
        ++top.next;
        visit(child);
    }
    return out;
}

std::optional<Predefined> Sema::predefined(std::string_view name) {
    static const std::vector<std::pair<std::string_view, Predefined>> table = {
        {"fin", {Domain::TcpFlag, 0x01}},
        {"syn", {Domain::TcpFlag, 0x02}},
        {"rst", {Domain::TcpFlag, 0x04}},
        {"psh", {Domain::TcpFlag, 0x08}},
        {"ack", {Domain::TcpFlag, 0x10}},
        {"urg", {Domain::TcpFlag, 0x20}},
        {"ece", {Domain::TcpFlag, 0x40}},
        {"cwr", {Domain::TcpFlag, 0x80}},
        {"ns", {Domain::TcpFlag, 0x100}},
        {"ssh", {Domain::Port, 22}},
        {"dns", {Domain::Port, 53}},
        {"http", {Domain::Port, 80}},
        {"https", {Domain::Port, 443}},
        // /etc/protocols numbering; `ip` is the pseudo protocol 0.
        {"ip", {Domain::Protocol, 0}},
        {"icmp", {Domain::Protocol, 1}},
        {"tcp", {Domain::Protocol, 6}},
        {"udp", {Domain::Protocol, 17}},
        {"echo-reply", {Domain::IcmpType, 0}},
        {"destination-unreachable", {Domain::IcmpType, 3}},
        {"redirect", {Domain::IcmpType, 5}},
        {"echo-request", {Domain::IcmpType, 8}},
        {"time-exceeded", {Domain::IcmpType, 11}},
        {"parameter-problem", {Domain::IcmpType, 12}},
        {"timestamp-request", {Domain::IcmpType, 13}},
        {"timestamp-reply", {Domain::IcmpType, 14}},
        {"new", {Domain::CtState, uint64_t(ir::CtState::New)}},
        {"established", {Domain::CtState, uint64_t(ir::CtState::Established)}},
        {"related", {Domain::CtState, uint64_t(ir::CtState::Related)}},
        {"invalid", {Domain::CtState, uint64_t(ir::CtState::Invalid)}},
        {"untracked", {Domain::CtState, uint64_t(ir::CtState::Untracked)}},
        {"round_robin", {Domain::Algorithm, uint64_t(ir::LbAlgorithm::RoundRobin)}},
        {"least_connections", {Domain::Algorithm, uint64_t(ir::LbAlgorithm::LeastConnections)}},
        {"source_hash", {Domain::Algorithm, uint64_t(ir::LbAlgorithm::SourceHash)}},
    };
    for (auto& [n, p] : table)
        if (iequals(n, name)) return p;
    return std::nullopt;
}

std::string Sema::describe(const ast::Value& v) {
    switch (v.kind) {
    case ast::Value::Kind::Integer:
        return "a number";
    case ast::Value::Kind::Address:
        return v.address.v6 ? "an IPv6 address" : "an IPv4 address";
    case ast::Value::Kind::Prefix:
        return "a network prefix (CIDR)";
    case ast::Value::Kind::Range:
        return "a range";
    case ast::Value::Kind::String:
        return "a string";
    case ast::Value::Kind::Bool:
        return v.number ? "`true`" : "`false`";
    case ast::Value::Kind::Name:
        return "the name " + quoted(v.dotted());
    case ast::Value::Kind::Object:
        return "an object";
    case ast::Value::Kind::List:
        return "a list";
    }
    return "a value";
}

ir::Location Sema::ir_location(Span span) const {
    Position p = file_.position(span.begin);
    return {p.line, p.column};
}

void Sema::report_undefined(const ast::Value& name, const std::vector<std::string>& also) {
    auto& d = diags_.error(name.span, quoted(name.dotted()) + " is not defined");
    std::vector<std::string> candidates = also;
    for (auto* e : order_)
        candidates.push_back(e->name);
    if (auto m = closest_match(name.dotted(), candidates)) add_help(d, "did you mean " + quoted(*m) + "?");
}

std::optional<uint64_t> Sema::read_integer(const ast::Value& v, uint64_t min, uint64_t max,
                                           const std::string& what) {
    const ast::Value* d = deref(v);
    if (!d) return std::nullopt;
    if (d->is_name() && d->path.size() == 1 && !find(d->path[0].text)) {
        // A predefined number, such as a port name.
        if (auto p = predefined(d->path[0].text);
            p && (p->domain == Domain::Port || p->domain == Domain::Protocol)) {
            if (p->value >= min && p->value <= max) return p->value;
        }
    }
    if (d->kind != ast::Value::Kind::Integer) {
        if (d->is_name() && !find(d->path[0].text) && !predefined(d->path[0].text)) {
            report_undefined(*d, {});
            return std::nullopt;
        }
        diags_.error(v.span, what + " must be a number, not " + describe(*d));
        return std::nullopt;
    }
    if (d->number < min || d->number > max) {
        diags_.error(v.span, what + " must be between " + std::to_string(min) + " and " +
                                 std::to_string(max) + ", not " + std::to_string(d->number));
        return std::nullopt;
    }
    return d->number;
}

std::optional<ir::Ip> Sema::read_address(const ast::Value& v, const std::string& what) {
    const ast::Value* d = deref(v);
    if (!d) return std::nullopt;
    if (d->kind != ast::Value::Kind::Address) {
        if (d->is_name() && !find(d->path[0].text)) {
            report_undefined(*d, {});
            return std::nullopt;
        }
        diags_.error(v.span, what + " must be an IP address, not " + describe(*d));
        return std::nullopt;
    }
    ir::Ip ip;
    ip.v6 = d->address.v6;
    ip.bytes = d->address.bytes;
    return ip;
}

std::optional<ir::Ip> Sema::read_ipv4(const ast::Value& v, const std::string& what) {
    const ast::Value* d = deref(v);
    if (!d) return std::nullopt;
    if (d->kind == ast::Value::Kind::Address && d->address.v6) {
        diags_.error(v.span, what + " must be an IPv4 address; IPv6 is not supported here");
        return std::nullopt;
    }
    if (d->kind != ast::Value::Kind::Address) {
        if (d->is_name() && !find(d->path[0].text)) {
            report_undefined(*d, {});
            return std::nullopt;
        }
        diags_.error(v.span, what + " must be an IPv4 address, not " + describe(*d));
        return std::nullopt;
    }
    return read_address(*d, what);
}

std::optional<bool> Sema::read_bool(const ast::Value& v, const std::string& what) {
    const ast::Value* d = deref(v);
    if (!d) return std::nullopt;
    if (d->kind != ast::Value::Kind::Bool) {
        diags_.error(v.span, what + " must be `true` or `false`, not " + describe(*d));
        return std::nullopt;
    }
    return d->number != 0;
}

std::optional<size_t> Sema::read_word(const ast::Value& v, const std::vector<std::string>& words,
                                      const std::string& what) {
    const ast::Value* d = deref(v);
    if (!d) return std::nullopt;
    std::string list;
    for (size_t i = 0; i < words.size(); ++i)
        list += (i ? ", " : "") + quoted(words[i]);
    if (d->is_name() && d->path.size() == 1) {
        for (size_t i = 0; i < words.size(); ++i)
            if (iequals(words[i], d->path[0].text)) return i;
        auto& diag = diags_.error(v.span, quoted(d->path[0].text) + " is not a valid " + what);
        if (auto m = closest_match(d->path[0].text, words))
            add_help(diag, "did you mean " + quoted(*m) + "?");
        add_note(diag, "expected one of " + list);
        return std::nullopt;
    }
    auto& diag = diags_.error(v.span, what + " must be one of " + list + ", not " + describe(*d));
    (void)diag;
    return std::nullopt;
}

std::optional<std::string> Sema::read_mac(const ast::Value& v, const std::string& what) {
    const ast::Value* d = deref(v);
    if (!d) return std::nullopt;
    auto bad = [&] {
        auto& diag =
            diags_.error(v.span, what + " must be a MAC address string such as \"c0:01:0a:00:00:2a\"");
        (void)diag;
        return std::nullopt;
    };
    if (d->kind != ast::Value::Kind::String) return bad();
    const std::string& s = d->text;
    if (s.size() != 17) return bad();
    for (size_t i = 0; i < s.size(); ++i) {
        bool colon = i % 3 == 2;
        if (colon ? s[i] != ':' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return bad();
    }
    return lower(s);
}

Element* Sema::read_element(const ast::Value& v, ElementKind kind, const std::string& what) {
    const ast::Value* d = deref(v);
    if (!d) return nullptr;
    std::string kind_name = element_kind_name(kind);
    auto article = [](const std::string& word) {
        return std::string(std::string_view("aeiouAEIOU").find(word[0]) != std::string_view::npos ? "an "
                                                                                                  : "a ") +
               word;
    };
    if (!d->is_name() || d->path.size() != 1) {
        diags_.error(v.span, what + " must be the name of " + article(kind_name) + ", not " + describe(*d));
        return nullptr;
    }
    Element* e = find(d->path[0].text);
    if (!e) {
        std::vector<std::string> same_kind;
        for (auto* o : order_)
            if (o->kind == kind) same_kind.push_back(o->name);
        auto& diag = diags_.error(v.span, "there is no " + kind_name + " named " + quoted(d->path[0].text));
        if (auto m = closest_match(d->path[0].text, same_kind))
            add_help(diag, "did you mean " + quoted(*m) + "?");
        return nullptr;
    }
    if (!e->valid) return nullptr;
    if (e->kind != kind) {
        auto& diag = diags_.error(v.span, quoted(e->name) + " is " + article(element_kind_name(e->kind)) +
                                              ", not " + article(kind_name));
        add_note(diag, quoted(e->name) + " is defined here", e->name_span);
        return nullptr;
    }
    return e;
}

const ast::Value* Sema::read_object(const ast::Value& v, const std::string& what) {
    const ast::Value* d = deref(v);
    if (!d) return nullptr;
    if (d->kind != ast::Value::Kind::Object) {
        if (d->is_name() && !find(d->path[0].text)) {
            report_undefined(*d, {});
            return nullptr;
        }
        diags_.error(v.span, what + " must be an object { key: value, ... }, not " + describe(*d));
        return nullptr;
    }
    return d;
}

} // namespace nacl::sema
