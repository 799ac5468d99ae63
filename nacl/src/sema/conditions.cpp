// Conditions: packet properties, operand types, `in` sets.
#include "sema.hpp"

#include <algorithm>
#include <unordered_map>

namespace nacl::sema {

namespace {

// `root` and `member` as written (any case); root is empty for iif/oif.
const ir::FieldInfo* find_field(std::string_view root, std::string_view member) {
    // Lower case is by far the most common spelling: one hash lookup.
    static const auto by_name = [] {
        std::unordered_map<std::string, const ir::FieldInfo*> m;
        for (size_t i = 0; i < ir::kFieldCount; ++i) {
            const auto& info = ir::field_info(static_cast<ir::Field>(i));
            m.emplace(std::string(info.name), &info);
        }
        return m;
    }();
    std::string key;
    key.reserve(root.size() + member.size() + 1);
    key.append(root);
    if (!root.empty()) key += '.';
    key.append(member);
    if (auto it = by_name.find(key); it != by_name.end()) return it->second;
    for (size_t i = 0; i < ir::kFieldCount; ++i) {
        const auto& info = ir::field_info(static_cast<ir::Field>(i));
        std::string_view name = info.name;
        size_t dot = name.find('.');
        std::string_view info_root = dot == std::string_view::npos ? std::string_view() : name.substr(0, dot);
        std::string_view info_member = dot == std::string_view::npos ? name : name.substr(dot + 1);
        if (iequals(info_root, root) && iequals(info_member, member)) return &info;
    }
    return nullptr;
}

bool is_property_root(std::string_view s) {
    return iequals(s, "ip") || iequals(s, "tcp") || iequals(s, "udp") || iequals(s, "icmp") ||
           iequals(s, "ct");
}

std::string subtype_name(ir::Protocol p) {
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

std::string domain_name(Domain d) {
    switch (d) {
    case Domain::TcpFlag:
        return "a TCP flag";
    case Domain::Port:
        return "a port";
    case Domain::Protocol:
        return "a protocol";
    case Domain::IcmpType:
        return "an ICMP type";
    case Domain::CtState:
        return "a connection state";
    case Domain::Algorithm:
        return "a load balancing algorithm";
    }
    return "a constant";
}

// Which predefined constants a number field accepts by name.
std::optional<Domain> number_domain(ir::Field f) {
    switch (f) {
    case ir::Field::TcpSport:
    case ir::Field::TcpDport:
    case ir::Field::UdpSport:
    case ir::Field::UdpDport:
        return Domain::Port;
    case ir::Field::IpProtocol:
        return Domain::Protocol;
    case ir::Field::IcmpType:
        return Domain::IcmpType;
    default:
        return std::nullopt;
    }
}

ir::TestOp to_test_op(ast::CompareOp op) {
    switch (op) {
    case ast::CompareOp::Eq:
        return ir::TestOp::Eq;
    case ast::CompareOp::Ne:
        return ir::TestOp::Ne;
    case ast::CompareOp::Lt:
        return ir::TestOp::Lt;
    case ast::CompareOp::Gt:
        return ir::TestOp::Gt;
    case ast::CompareOp::Le:
        return ir::TestOp::Le;
    case ast::CompareOp::Ge:
        return ir::TestOp::Ge;
    case ast::CompareOp::In:
        return ir::TestOp::In;
    }
    return ir::TestOp::Eq;
}

// `5 < tcp.dport` is `tcp.dport > 5`.
ast::CompareOp mirrored(ast::CompareOp op) {
    switch (op) {
    case ast::CompareOp::Lt:
        return ast::CompareOp::Gt;
    case ast::CompareOp::Gt:
        return ast::CompareOp::Lt;
    case ast::CompareOp::Le:
        return ast::CompareOp::Ge;
    case ast::CompareOp::Ge:
        return ast::CompareOp::Le;
    default:
        return op;
    }
}

const char* op_text(ast::CompareOp op) {
    switch (op) {
    case ast::CompareOp::Eq:
        return "==";
    case ast::CompareOp::Ne:
        return "!=";
    case ast::CompareOp::Lt:
        return "<";
    case ast::CompareOp::Gt:
        return ">";
    case ast::CompareOp::Le:
        return "<=";
    case ast::CompareOp::Ge:
        return ">=";
    case ast::CompareOp::In:
        return "in";
    }
    return "==";
}

ir::Ip to_ip(const ast::Address& a) {
    return ir::Ip{a.v6, a.bytes};
}

// The first and last address of a prefix (host bits of the address ignored).
ir::AddressRange prefix_range(const ast::Address& a, uint64_t length) {
    ir::AddressRange r{to_ip(a), to_ip(a)};
    size_t bits = a.v6 ? 128 : 32;
    for (size_t bit = length; bit < bits; ++bit) {
        uint8_t mask = static_cast<uint8_t>(0x80 >> (bit % 8));
        r.low.bytes[bit / 8] &= static_cast<uint8_t>(~mask);
        r.high.bytes[bit / 8] |= mask;
    }
    return r;
}

template <typename Range>
void sort_and_merge(std::vector<Range>& ranges, auto adjacent) {
    std::sort(ranges.begin(), ranges.end());
    std::vector<Range> merged;
    for (auto& r : ranges) {
        if (!merged.empty() && (merged.back().high >= r.low || adjacent(merged.back().high, r.low))) {
            if (r.high > merged.back().high) merged.back().high = r.high;
            continue;
        }
        merged.push_back(r);
    }
    ranges = std::move(merged);
}

bool ip_successor(const ir::Ip& a, const ir::Ip& b) {
    if (a.v6 != b.v6) return false;
    ir::Ip next = a;
    size_t n = a.v6 ? 16 : 4;
    for (size_t i = n; i-- > 0;) {
        if (++next.bytes[i] != 0) return next == b;
    }
    return false; // a was the last address
}

} // namespace

std::optional<ir::Field> Sema::property(const ast::Value& value, FunctionScope& scope, bool report_unknown) {
    if (!value.is_name()) return std::nullopt;
    const ir::FieldInfo* info = nullptr;
    if (value.path.size() == 1) {
        const std::string& n = value.path[0].text;
        if ((iequals(n, "iif") || iequals(n, "oif")) && !find(n)) info = find_field("", n);
        if (!info) return std::nullopt;
    } else {
        if (!is_property_root(value.path[0].text)) return std::nullopt;
        if (value.path.size() == 2) info = find_field(value.path[0].text, value.path[1].text);
        if (!info) {
            if (!report_unknown) return std::nullopt;
            std::string root = lower(value.path[0].text);
            auto& d = diags_.error(value.span, quoted(value.dotted()) + " is not a packet property");
            std::vector<std::string> same_root;
            for (size_t i = 0; i < ir::kFieldCount; ++i) {
                auto name = ir::field_info(static_cast<ir::Field>(i)).name;
                if (name.starts_with(root + ".")) same_root.emplace_back(name);
            }
            if (auto m = closest_match(lower(value.dotted()), same_root))
                add_help(d, "did you mean " + quoted(*m) + "?");
            std::string list;
            for (auto& s : same_root)
                list += (list.empty() ? "" : ", ") + s.substr(root.size() + 1);
            add_note(d, "the properties of " + root + " are " + list);
            return std::nullopt;
        }
    }
    if (info->protocol != ir::Protocol::Ip && info->protocol != scope.subtype) {
        std::string p = subtype_name(info->protocol);
        std::string kind = scope.kind == ir::FunctionKind::Filter ? "Filter" : "Nat";
        auto& d =
            diags_.error(value.span, quoted(value.dotted()) + " can only be tested in a " + p + " function");
        add_note(d, "this is a " + kind + "::" + subtype_name(scope.subtype) + " function");
        if (scope.subtype == ir::Protocol::Ip)
            add_help(d, "test it inside a nested `" + kind + "::" + p + " { ... }` block");
        return std::nullopt;
    }
    if (info->field == ir::Field::Iif) scope.facts->uses_iif = true;
    if (info->field == ir::Field::Oif) scope.facts->uses_oif = true;
    return info->field;
}

namespace {

struct Scalar {
    uint64_t number = 0;
    ir::Ip address;
    std::string iface;
};

} // namespace

// A single value of the field's type, or nullopt after an error.
static std::optional<Scalar> read_scalar(Sema& sema, const ir::FieldInfo& info, const ast::Value& written) {
    const ast::Value* v = sema.deref(written);
    if (!v) return std::nullopt;
    auto field_text = [&] { return quoted(info.name); };
    Scalar s;
    // A name that is neither a user element nor predefined.
    auto undefined = [&](std::vector<std::string> hints) {
        sema.report_undefined(*v, hints);
        return std::nullopt;
    };
    Element* element = v->is_name() && v->path.size() == 1 ? sema.find(v->path[0].text) : nullptr;
    std::optional<Predefined> pre;
    if (v->is_name() && v->path.size() == 1 && !element) pre = Sema::predefined(v->path[0].text);

    switch (info.type) {
    case ir::FieldType::Iface:
        if (element && element->kind == ElementKind::Iface) {
            s.iface = element->name;
            return s;
        }
        if (v->is_name() && !element) return undefined({});
        sema.diags_.error(written.span, field_text() + " is compared with the name of an Iface, not " +
                                            (element ? "the " + element_kind_name(element->kind) + " " +
                                                           quoted(element->name)
                                                     : Sema::describe(*v)));
        return std::nullopt;
    case ir::FieldType::Address:
        if (v->kind == ast::Value::Kind::Address) {
            s.address = to_ip(v->address);
            return s;
        }
        if (v->is_name() && !element && !pre) return undefined({});
        sema.diags_.error(written.span, field_text() + " is an IP address; it cannot be compared with " +
                                            (pre ? domain_name(pre->domain) + " (" + quoted(v->dotted()) + ")"
                                                 : Sema::describe(*v)));
        return std::nullopt;
    case ir::FieldType::CtState:
        if (pre && pre->domain == Domain::CtState) {
            s.number = pre->value;
            return s;
        }
        if (v->is_name() && !element && !pre)
            return undefined({"new", "established", "related", "invalid", "untracked"});
        {
            auto& d =
                sema.diags_.error(written.span, field_text() + " is a connection state, not " +
                                                    (pre ? domain_name(pre->domain) : Sema::describe(*v)));
            add_note(d, "the states are new, established, related, invalid and untracked");
        }
        return std::nullopt;
    case ir::FieldType::TcpFlags:
        if (pre && pre->domain == Domain::TcpFlag) {
            s.number = pre->value;
            return s;
        }
        if (v->kind == ast::Value::Kind::Integer && v->number <= info.max) {
            s.number = v->number;
            return s;
        }
        if (v->is_name() && !element && !pre)
            return undefined({"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns"});
        {
            auto& d =
                sema.diags_.error(written.span, field_text() + " holds TCP flags, not " +
                                                    (pre ? domain_name(pre->domain) : Sema::describe(*v)));
            add_note(d, "the flags are fin, syn, rst, psh, ack, urg, ece, cwr and ns");
        }
        return std::nullopt;
    case ir::FieldType::Number:
        if (pre) {
            auto wanted = number_domain(info.field);
            if (wanted && *wanted == pre->domain) {
                s.number = pre->value;
                return s;
            }
            sema.diags_.error(written.span, quoted(v->dotted()) + " is " + domain_name(pre->domain) +
                                                "; it cannot be compared with " + field_text());
            return std::nullopt;
        }
        if (v->kind == ast::Value::Kind::Integer) {
            if (v->number > info.max) {
                sema.diags_.error(written.span, std::to_string(v->number) + " is out of range for " +
                                                    field_text() + " (0-" + std::to_string(info.max) + ")");
                return std::nullopt;
            }
            s.number = v->number;
            return s;
        }
        if (v->is_name() && !element) return undefined({});
        sema.diags_.error(written.span, field_text() + " is a number; it cannot be compared with " +
                                            (element ? "the " + element_kind_name(element->kind) + " " +
                                                           quoted(element->name)
                                                     : Sema::describe(*v)));
        return std::nullopt;
    }
    return std::nullopt;
}

// The set on the right of `in` (or of `==` with a range or prefix).
static std::optional<ir::Test> read_set(Sema& sema, const ir::FieldInfo& info, const ast::Value& written) {
    ir::Test t;
    t.field = info.field;
    t.op = ir::TestOp::In;
    bool ok = true;
    auto field_text = [&] { return quoted(info.name); };
    for (const ast::Value* leaf : sema.flatten(written)) {
        if (leaf->kind == ast::Value::Kind::Range) {
            const ast::Value& lo = leaf->items[0];
            const ast::Value& hi = leaf->items[1];
            if (lo.kind == ast::Value::Kind::Integer && info.type == ir::FieldType::Number) {
                if (hi.number > info.max) {
                    sema.diags_.error(leaf->span, "the range goes beyond " + field_text() + " (0-" +
                                                      std::to_string(info.max) + ")");
                    ok = false;
                    continue;
                }
                t.numbers.push_back({lo.number, hi.number});
            } else if (lo.kind == ast::Value::Kind::Address && info.type == ir::FieldType::Address) {
                t.addresses.push_back({to_ip(lo.address), to_ip(hi.address)});
            } else {
                sema.diags_.error(
                    leaf->span,
                    "a range of " +
                        std::string(lo.kind == ast::Value::Kind::Integer ? "numbers" : "addresses") +
                        " cannot be compared with " + field_text());
                ok = false;
            }
            continue;
        }
        if (leaf->kind == ast::Value::Kind::Prefix) {
            if (info.type != ir::FieldType::Address) {
                sema.diags_.error(leaf->span, "a network prefix cannot be compared with " + field_text());
                ok = false;
                continue;
            }
            t.addresses.push_back(prefix_range(leaf->address, leaf->number));
            continue;
        }
        auto s = read_scalar(sema, info, *leaf);
        if (!s) {
            ok = false;
            continue;
        }
        switch (info.type) {
        case ir::FieldType::Address:
            t.addresses.push_back({s->address, s->address});
            break;
        case ir::FieldType::Iface:
            t.ifaces.push_back(s->iface);
            break;
        default:
            t.numbers.push_back({s->number, s->number});
            break;
        }
    }
    if (!ok) return std::nullopt;
    sort_and_merge(t.numbers, [](uint64_t a, uint64_t b) { return a + 1 == b; });
    sort_and_merge(t.addresses, ip_successor);
    std::sort(t.ifaces.begin(), t.ifaces.end());
    t.ifaces.erase(std::unique(t.ifaces.begin(), t.ifaces.end()), t.ifaces.end());
    return t;
}

std::optional<ir::Expr> Sema::convert_condition(const ast::Condition& c, FunctionScope& scope) {
    if (c.kind == ast::Condition::Kind::Compare) return convert_comparison(c, scope);
    ir::Expr e;
    e.kind = c.kind == ast::Condition::Kind::Or    ? ir::Expr::Kind::Or
             : c.kind == ast::Condition::Kind::And ? ir::Expr::Kind::And
                                                   : ir::Expr::Kind::Not;
    bool ok = true;
    for (auto& operand : c.operands) {
        auto converted = convert_condition(operand, scope);
        if (converted)
            e.operands.push_back(std::move(*converted));
        else
            ok = false;
    }
    if (!ok) return std::nullopt;
    return e;
}

std::optional<ir::Expr> Sema::convert_comparison(const ast::Condition& c, FunctionScope& scope) {
    auto is_property = [&](const ast::Value& v) {
        if (!v.is_name()) return false;
        if (v.path.size() > 1) return is_property_root(v.path[0].text);
        return (iequals(v.path[0].text, "iif") || iequals(v.path[0].text, "oif")) && !find(v.path[0].text);
    };
    bool left = is_property(*c.lhs), right = is_property(*c.rhs);
    if (left && right) {
        diags_.error(c.span, "this compares two packet properties; one side must be a value");
        return std::nullopt;
    }
    if (!left && !right) {
        auto& d = diags_.error(c.span, "this compares two values; one side must be a packet property");
        add_help(d, "for example `ip.saddr " + std::string(op_text(c.op)) + " ...`");
        return std::nullopt;
    }
    ast::CompareOp op = c.op;
    const ast::Value* prop = left ? c.lhs.get() : c.rhs.get();
    const ast::Value* value = left ? c.rhs.get() : c.lhs.get();

    auto field = property(*prop, scope, true);
    if (!field) return std::nullopt;
    const ir::FieldInfo& info = ir::field_info(*field);

    auto is_set = [](const ast::Value* v) {
        return v->kind == ast::Value::Kind::List || v->kind == ast::Value::Kind::Object ||
               v->kind == ast::Value::Kind::Range || v->kind == ast::Value::Kind::Prefix;
    };

    ir::Expr e;
    if (op == ast::CompareOp::In) {
        if (right) {
            // `syn in tcp.flags`: the flag bit is set.
            const ast::Value* d = deref(*value);
            if (!d) return std::nullopt;
            if (is_set(d)) {
                auto& diag =
                    diags_.error(c.lhs->span, "`in` needs a single value on the left, not " + describe(*d));
                add_help(diag, "write the property first: `" + prop->dotted() + " in ...`");
                return std::nullopt;
            }
            if (info.type == ir::FieldType::TcpFlags) {
                auto s = read_scalar(*this, info, *value);
                if (!s) return std::nullopt;
                e.test.field = *field;
                e.test.op = ir::TestOp::HasFlags;
                e.test.number = s->number;
                return e;
            }
            auto& diag =
                diags_.error(c.rhs->span, "`in` needs a set on the right (a list, a range, a prefix or an "
                                          "object), not the packet property " +
                                              quoted(prop->dotted()));
            add_help(diag, "write the property first: `" + prop->dotted() + " in ...`");
            return std::nullopt;
        }
        const ast::Value* d = deref(*value);
        if (!d) return std::nullopt;
        if (!is_set(d)) {
            if (d->is_name() && !find(d->path[0].text) && !predefined(d->path[0].text)) {
                report_undefined(*d, {});
                return std::nullopt;
            }
            auto& diag =
                diags_.error(c.rhs->span, "`in` needs a set on the right (a list, a range, a prefix or an "
                                          "object), not " +
                                              describe(*d));
            add_help(diag, "use `==` to compare with a single value");
            return std::nullopt;
        }
        auto t = read_set(*this, info, *value);
        if (!t) return std::nullopt;
        e.test = std::move(*t);
        return e;
    }

    if (right) op = mirrored(op);
    const ast::Value* d = deref(*value);
    if (!d) return std::nullopt;
    if (d->kind == ast::Value::Kind::List || d->kind == ast::Value::Kind::Object) {
        auto& diag = diags_.error(value->span, "`" + std::string(op_text(op)) +
                                                   "` compares with a single value, not " + describe(*d));
        add_help(diag, "use `in` to test membership: `" + prop->dotted() + " in ...`");
        return std::nullopt;
    }
    bool ordering = op != ast::CompareOp::Eq && op != ast::CompareOp::Ne;
    if (d->kind == ast::Value::Kind::Range || d->kind == ast::Value::Kind::Prefix) {
        if (ordering) {
            diags_.error(value->span,
                         "`" + std::string(op_text(op)) + "` needs a single value, not " + describe(*d));
            return std::nullopt;
        }
        // `== 10.0.0.0/8` and `== 1024-2047` mean membership.
        auto t = read_set(*this, info, *value);
        if (!t) return std::nullopt;
        e.test = std::move(*t);
        if (op == ast::CompareOp::Ne) {
            ir::Expr inner = std::move(e);
            e = ir::Expr{};
            e.kind = ir::Expr::Kind::Not;
            e.operands.push_back(std::move(inner));
        }
        return e;
    }
    if (ordering && info.type != ir::FieldType::Number && info.type != ir::FieldType::Address) {
        diags_.error(c.op_span, "`" + std::string(op_text(op)) + "` cannot compare " + quoted(info.name) +
                                    "; use `==`, `!=` or `in`");
        return std::nullopt;
    }
    auto s = read_scalar(*this, info, *value);
    if (!s) return std::nullopt;
    e.test.field = *field;
    e.test.op = to_test_op(op);
    e.test.number = s->number;
    e.test.address = s->address;
    e.test.iface = s->iface;
    return e;
}

} // namespace nacl::sema
