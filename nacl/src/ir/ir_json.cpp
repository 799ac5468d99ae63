#include "nacl/ir_json.hpp"

namespace nacl::ir {

namespace {

using json = nlohmann::ordered_json;

json loc(const Location& l) {
    return std::to_string(l.line) + ":" + std::to_string(l.column);
}

template <typename T>
json optional_value(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

json optional_ip(const std::optional<Ip>& v) {
    return v ? json(to_string(*v)) : json(nullptr);
}

json test_json(const Test& t) {
    const FieldInfo& info = field_info(t.field);
    json j;
    j["field"] = info.name;
    j["op"] = to_string(t.op);
    if (t.op == TestOp::In) {
        json set = json::array();
        switch (info.type) {
        case FieldType::Address:
            for (auto& r : t.addresses)
                set.push_back(to_string(r));
            break;
        case FieldType::Iface:
            for (auto& n : t.ifaces)
                set.push_back(n);
            break;
        case FieldType::CtState:
            for (auto& r : t.numbers)
                for (uint64_t v = r.low; v <= r.high; ++v)
                    set.push_back(to_string(CtState(v)));
            break;
        default:
            for (auto& r : t.numbers)
                set.push_back(json::array({r.low, r.high}));
            break;
        }
        j["set"] = std::move(set);
        return j;
    }
    switch (info.type) {
    case FieldType::Address:
        j["value"] = to_string(t.address);
        break;
    case FieldType::Iface:
        j["value"] = t.iface;
        break;
    case FieldType::CtState:
        j["value"] = to_string(CtState(t.number));
        break;
    default:
        j["value"] = t.number;
        break;
    }
    return j;
}

json expr_json(const Expr& e) {
    switch (e.kind) {
    case Expr::Kind::Test:
        return test_json(e.test);
    case Expr::Kind::Not:
        return json{{"not", expr_json(e.operands.front())}};
    case Expr::Kind::And:
    case Expr::Kind::Or: {
        json list = json::array();
        for (auto& o : e.operands)
            list.push_back(expr_json(o));
        return json{{e.kind == Expr::Kind::And ? "and" : "or", std::move(list)}};
    }
    }
    return nullptr;
}

json action_json(const Action& a) {
    json j;
    j["action"] = to_string(a.kind);
    if (a.kind == ActionKind::Syslog) j["severity"] = to_string(a.severity);
    if (a.kind == ActionKind::Log || a.kind == ActionKind::Syslog) {
        json args = json::array();
        for (auto& arg : a.args)
            args.push_back(arg.field ? json{{"field", field_info(*arg.field).name}}
                                     : json{{"text", arg.text}});
        j["args"] = std::move(args);
    }
    if (a.kind == ActionKind::Dnat || a.kind == ActionKind::Snat) {
        j["address"] = optional_ip(a.address);
        j["port"] = optional_value(a.port);
    }
    return j;
}

json body_json(const Program& p, const std::vector<Statement>& body);

json statement_json(const Program& p, const Statement& s) {
    json j;
    switch (s.kind) {
    case Statement::Kind::If: {
        j["kind"] = "if";
        j["loc"] = loc(s.location);
        json branches = json::array();
        for (auto& b : s.branches)
            branches.push_back(json{{"loc", loc(b.location)},
                                    {"condition", expr_json(b.condition)},
                                    {"body", body_json(p, b.body)}});
        j["branches"] = std::move(branches);
        j["else"] = s.has_else ? body_json(p, s.body) : json(nullptr);
        break;
    }
    case Statement::Kind::Action:
        j["kind"] = "action";
        j["loc"] = loc(s.location);
        {
            json action = action_json(s.action);
            for (auto& [k, v] : action.items())
                j[k] = v;
        }
        break;
    case Statement::Kind::Call:
        j["kind"] = "call";
        j["loc"] = loc(s.location);
        j["function"] = p.functions[s.callee].name;
        break;
    case Statement::Kind::Nested:
        j["kind"] = "nested";
        j["loc"] = loc(s.location);
        j["subtype"] = to_string(s.nested_subtype);
        j["body"] = body_json(p, s.body);
        break;
    }
    return j;
}

json body_json(const Program& p, const std::vector<Statement>& body) {
    json list = json::array();
    for (auto& s : body)
        list.push_back(statement_json(p, s));
    return list;
}

json timeouts_json(const ProtocolTimeouts& t) {
    return json{{"tcp", t.tcp}, {"udp", t.udp}, {"icmp", t.icmp}};
}

} // namespace

json to_json(const Program& p) {
    json j;
    j["format"] = "halite-nacl-ir";
    j["version"] = 1;
    j["file"] = p.file;

    json interfaces = json::array();
    for (auto& i : p.interfaces) {
        json o;
        o["name"] = i.name;
        o["loc"] = loc(i.location);
        o["index"] = optional_value(i.index);
        o["mac"] = optional_value(i.mac);
        o["vlan"] = optional_value(i.vlan);
        o["config"] = to_string(i.config);
        o["address"] = optional_ip(i.address);
        o["netmask"] = optional_ip(i.netmask);
        o["gateway"] = optional_ip(i.gateway);
        o["dns"] = optional_ip(i.dns);
        o["mtu"] = optional_value(i.mtu);
        o["masquerade"] = i.masquerade;
        o["buffer_limit"] = optional_value(i.buffer_limit);
        o["send_queue_limit"] = optional_value(i.send_queue_limit);
        o["conntrack"] = i.conntrack;
        o["forwarding"] = i.forwarding;
        interfaces.push_back(std::move(o));
    }
    j["interfaces"] = std::move(interfaces);

    if (p.gateway) {
        json g;
        g["name"] = p.gateway->name;
        g["loc"] = loc(p.gateway->location);
        g["send_time_exceeded"] = p.gateway->send_time_exceeded;
        json routes = json::array();
        for (auto& r : p.gateway->routes) {
            routes.push_back(json{{"name", r.name},
                                  {"loc", loc(r.location)},
                                  {"destination", to_string(r.destination.address) + "/" +
                                                      std::to_string(r.destination.length)},
                                  {"iface", r.iface},
                                  {"nexthop", optional_ip(r.nexthop)},
                                  {"cost", r.cost}});
        }
        g["routes"] = std::move(routes);
        j["gateway"] = std::move(g);
    } else {
        j["gateway"] = nullptr;
    }

    const Conntrack& ct = p.conntrack;
    j["conntrack"] = json{{"name", ct.name.empty() ? json(nullptr) : json(ct.name)},
                          {"loc", ct.location ? loc(*ct.location) : json(nullptr)},
                          {"limit", ct.limit},
                          {"reserve", ct.reserve},
                          {"stateful_tcp", ct.stateful_tcp},
                          {"timeout", json{{"unconfirmed", timeouts_json(ct.unconfirmed)},
                                           {"confirmed", timeouts_json(ct.confirmed)},
                                           {"established", timeouts_json(ct.established)}}}};

    json lbs = json::array();
    for (auto& lb : p.load_balancers) {
        json pool = json::array();
        for (auto& n : lb.pool)
            pool.push_back(json{{"loc", loc(n.location)},
                                {"address", to_string(n.address)},
                                {"port", n.port},
                                {"weight", n.weight}});
        json health = nullptr;
        if (lb.health)
            health = json{{"interval", lb.health->interval},
                          {"timeout", lb.health->timeout},
                          {"rise", lb.health->rise},
                          {"fall", lb.health->fall}};
        lbs.push_back(json{{"name", lb.name},
                           {"loc", loc(lb.location)},
                           {"layer", lb.layer},
                           {"clients", json{{"iface", lb.clients_iface},
                                            {"port", lb.clients_port},
                                            {"wait_queue_limit", lb.wait_queue_limit},
                                            {"session_limit", lb.session_limit}}},
                           {"servers", json{{"iface", lb.servers_iface},
                                            {"algorithm", to_string(lb.algorithm)},
                                            {"pool", std::move(pool)},
                                            {"health", std::move(health)}}}});
    }
    j["load_balancers"] = std::move(lbs);

    j["syslog"] = p.syslog ? json{{"name", p.syslog->name},
                                  {"loc", loc(p.syslog->location)},
                                  {"address", to_string(p.syslog->address)},
                                  {"port", p.syslog->port}}
                           : json(nullptr);

    json timers = json::array();
    for (auto& t : p.timers) {
        json data = json::array();
        for (auto d : t.data)
            data.push_back(to_string(d));
        timers.push_back(json{
            {"name", t.name}, {"loc", loc(t.location)}, {"interval", t.interval}, {"data", std::move(data)}});
    }
    j["timers"] = std::move(timers);

    json functions = json::array();
    for (auto& f : p.functions) {
        functions.push_back(json{{"name", f.name},
                                 {"kind", f.kind == FunctionKind::Filter ? "filter" : "nat"},
                                 {"subtype", to_string(f.subtype)},
                                 {"loc", loc(f.location)},
                                 {"body", body_json(p, f.body)}});
    }
    j["functions"] = std::move(functions);

    json chains = json::array();
    for (auto& c : p.chains) {
        json entries = json::array();
        for (auto& e : c.functions)
            entries.push_back(json{{"function", p.functions[e.function].name}, {"loc", loc(e.location)}});
        chains.push_back(json{{"hook", to_string(c.hook)},
                              {"iface", c.hook == Hook::Forward ? json(nullptr) : json(c.iface)},
                              {"functions", std::move(entries)}});
    }
    j["chains"] = std::move(chains);
    return j;
}

std::string to_json_text(const Program& program) {
    return to_json(program).dump(2) + "\n";
}

} // namespace nacl::ir
