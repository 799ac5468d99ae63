#include "codegen/emit_cpp.hpp"

#include "emit_functions.hpp"

namespace codegen {

using nacl::ir::Hook;

namespace {

std::string u32(uint32_t v) {
    return std::to_string(v) + "u";
}

std::string address(const std::optional<nacl::ir::Ip>& ip) {
    if (!ip || ip->v6) return "0u";
    uint32_t a = ip->to_v4();
    return u32(a) + " /* " + nacl::ir::to_string(*ip) + " */";
}

std::string_view hook_name(Hook h) {
    static constexpr std::string_view names[] = {"Prerouting", "Input", "Forward", "Output", "Postrouting"};
    return names[size_t(h)];
}

std::string iface_index(const nacl::ir::Program& program, const std::string& name) {
    for (size_t i = 0; i < program.interfaces.size(); ++i)
        if (program.interfaces[i].name == name) return std::to_string(i);
    return "appliance::no_iface";
}

std::string timeouts(const nacl::ir::ProtocolTimeouts& t) {
    return "{" + u32(t.tcp) + ", " + u32(t.udp) + ", " + u32(t.icmp) + "}";
}

// `constexpr T name[] = {...};` or nothing, and the span expression for the Config.
std::string array(std::string& text, const std::string& type, const std::string& name,
                  const std::vector<std::string>& rows) {
    if (rows.empty()) return "{}";
    text += "constexpr " + type + " " + name + "[] = {\n";
    for (auto& r : rows)
        text += "    " + r + ",\n";
    text += "};\n";
    return name;
}

// The prepare function of a chain: its functions' largest prepared table (emit_compiled.cpp), if any.
std::string chain_prepare(const nacl::ir::Program& program, const nacl::ir::Chain& chain,
                          const std::map<std::string, PreparedTable>& prepared) {
    PreparedTable best;
    for (auto& entry : chain.functions) {
        auto it = prepared.find(function_symbol(program, entry.function));
        if (it != prepared.end() && it->second.bytes > best.bytes) best = it->second;
    }
    return best.symbol;
}

std::string config_data(const nacl::ir::Program& program, const FunctionOutput& out, const std::string& ns) {
    const std::vector<RuleEntry>& rules = out.rules;
    std::string t = "// ---- The appliance ----\n\n";
    std::vector<std::string> rows;
    for (auto& i : program.interfaces) {
        std::string source = i.config == nacl::ir::IfaceConfig::Dhcp               ? "Dhcp"
                             : i.config == nacl::ir::IfaceConfig::DhcpWithFallback ? "DhcpWithFallback"
                                                                                   : "Static";
        rows.push_back(
            "{.name = " + quote(i.name) + ", .nic_index = " + (i.index ? std::to_string(*i.index) : "-1") +
            ", .mac = " + (i.mac ? quote(*i.mac) : "nullptr") +
            ", .vlan = " + std::to_string(i.vlan.value_or(0)) +
            ", .source = appliance::AddressSource::" + source + ",\n     .address = " + address(i.address) +
            ", .netmask = " + address(i.netmask) + ", .gateway = " + address(i.gateway) +
            ", .dns = " + address(i.dns) + ",\n     .mtu = " + u32(i.mtu.value_or(0)) + ", .masquerade = " +
            (i.masquerade ? "true" : "false") + ", .buffer_limit = " + u32(i.buffer_limit.value_or(0)) +
            ", .send_queue_limit = " + u32(i.send_queue_limit.value_or(0)) + ", .conntrack = " +
            (i.conntrack ? "true" : "false") + ", .forwarding = " + (i.forwarding ? "true" : "false") +
            "} /* " + where(program, i.location) + " */");
    }
    std::string ifaces = array(t, "appliance::IfaceConfig", "ifaces", rows);

    rows.clear();
    if (program.gateway)
        for (auto& r : program.gateway->routes)
            rows.push_back("{" + address(r.destination.address) + ", " +
                           std::to_string(r.destination.length) + ", " + iface_index(program, r.iface) +
                           " /* " + r.iface + " */, " + address(r.nexthop) + ", " + u32(r.cost) + "} /* " +
                           (r.name.empty() ? "route" : r.name) + " " + where(program, r.location) + " */");
    std::string routes = array(t, "appliance::RouteConfig", "routes", rows);

    rows.clear();
    for (auto& c : program.chains) {
        std::string symbol = "chain_" + std::to_string(rows.size());
        std::string prepare = chain_prepare(program, c, out.prepared);
        rows.push_back("{appliance::Hook::" + std::string(hook_name(c.hook)) + ", " +
                       (c.iface.empty() ? "appliance::no_iface"
                                        : iface_index(program, c.iface) + " /* " + c.iface + " */") +
                       ", " + symbol + (prepare.empty() ? "" : ", " + prepare) + "}");
    }
    std::string chains = array(t, "appliance::ChainConfig", "chains", rows);

    rows.clear();
    for (auto& timer : program.timers) {
        static constexpr std::string_view bits[] = {"timer_timestamp",     "timer_stats", "timer_memory",
                                                    "timer_cpu",           "timer_lb",    "timer_timers",
                                                    "timer_stack_sampling"};
        std::string data;
        for (auto d : timer.data)
            data += (data.empty() ? "" : " | ") + std::string("appliance::") + std::string(bits[size_t(d)]);
        rows.push_back("{" + quote(timer.name) + ", " + u32(timer.interval) + ", " +
                       (data.empty() ? "0u" : data) + "}");
    }
    std::string timers = array(t, "appliance::TimerConfig", "timers", rows);

    rows.clear();
    for (size_t i = 0; i < rules.size(); ++i)
        rows.push_back("{" + quote(rules[i].function) + ", " + std::to_string(rules[i].location.line) + ", " +
                       std::to_string(rules[i].location.column) + "} /* " + std::to_string(i) + " */");
    std::string rule_info = array(t, "appliance::RuleInfo", "rule_info", rows);

    const auto& ct = program.conntrack;
    std::string syslog = "{}";
    if (program.syslog) {
        if (program.syslog->address.v6)
            syslog = "{} /* Syslog " + program.syslog->name +
                     ": IPv6 targets are not supported, console instead */";
        else
            syslog = "{true, " + address(program.syslog->address) + ", " +
                     std::to_string(program.syslog->port) + "}";
    }
    for (auto& lb : program.load_balancers)
        t += "// Load_balancer " + lb.name + " (" + where(program, lb.location) +
             "): not part of appliance::Config yet, left out.\n";
    t += "\n} // namespace\n\nnamespace " + ns + " {\n\n";
    t += "extern const appliance::Config config;\n";
    t += "constexpr appliance::Config config{\n";
    t += "    .ifaces = " + ifaces + ",\n";
    t += std::string("    .gateway = ") + (program.gateway ? "true" : "false") + ",\n";
    t += std::string("    .send_time_exceeded = ") +
         (program.gateway && program.gateway->send_time_exceeded ? "true" : "false") + ",\n";
    t += "    .routes = " + routes + ",\n";
    t += "    .chains = " + chains + ",\n";
    t += "    .conntrack = {" + u32(ct.limit) + ", " + u32(ct.reserve) + ", " +
         (ct.stateful_tcp ? "true" : "false") + ", " + timeouts(ct.unconfirmed) + ", " +
         timeouts(ct.confirmed) + ", " + timeouts(ct.established) + "},\n";
    t += "    .syslog = " + syslog + ",\n";
    t += "    .timers = " + timers + ",\n";
    t += "    .rules = " + rule_info + ",\n";
    t += "    .source_file = " + quote(program.file) + ",\n};\n\n";
    return t;
}

std::string chain_functions(const nacl::ir::Program& program) {
    std::string code = "// ---- Chains: functions in order; drop or reject stops, accept goes on ----\n\n";
    for (size_t c = 0; c < program.chains.size(); ++c) {
        const auto& chain = program.chains[c];
        std::string name = chain.iface.empty()
                               ? "forward"
                               : chain.iface + "." + std::string(nacl::ir::to_string(chain.hook));
        code += "// " + name + "\n";
        if (chain.functions.empty()) {
            code +=
                "Decision chain_" + std::to_string(c) + "(RulePacket&, ActionSink&) {\n    return {};\n}\n\n";
            continue;
        }
        code += "Decision chain_" + std::to_string(c) + "(RulePacket& p, ActionSink& a) {\n";
        for (size_t i = 0; i < chain.functions.size(); ++i) {
            const auto& entry = chain.functions[i];
            std::string call = function_symbol(program, entry.function) + "(p, a)";
            std::string comment =
                " // " + program.functions[entry.function].name + " (" + where(program, entry.location) + ")";
            if (i + 1 == chain.functions.size()) {
                code += "    return " + call + ";" + comment + "\n";
            } else {
                code += (i == 0 ? "    Decision d = " : "    d = ") + call + ";" + comment + "\n";
                code += "    if (d.verdict != Verdict::Accept) return d;\n";
            }
        }
        code += "}\n\n";
    }
    return code;
}

} // namespace

EmitResult emit_cpp(const nacl::ir::Program& program, const EmitOptions& options) {
    FunctionOutput out;
    std::vector<size_t> functions = top_level_functions(program);
    for (size_t f : functions) {
        if (options.linear)
            emit_linear_function(program, f, options, out);
        else
            emit_compiled_function(program, f, options, out);
    }
    out.stats.rules = static_cast<uint32_t>(out.rules.size());

    std::string text;
    text += "// Generated by naclc from " + program.file + ": do not edit.\n";
    text += options.linear ? "// Rules: linear (the statements as written; the reference translation).\n"
                           : "// Rules: compiled (runs of " + std::to_string(options.table_threshold) +
                                 " or more rules are decision-table lookups, the rest plain code).\n";
    text += "#include \"appliance/classifier/decision_tree.hpp\"\n";
    text += "#include \"appliance/classifier/interval_set.hpp\"\n";
    text += "#include \"appliance/config.hpp\"\n\n#include <cstdint>\n\n";
    text += "namespace {\n\n";
    text += "using appliance::ActionSink;\nusing appliance::CtState;\nusing appliance::Decision;\n";
    text += "using appliance::FieldId;\nusing appliance::LogArg;\nusing appliance::RulePacket;\n";
    text += "using appliance::Verdict;\nnamespace classifier = appliance::classifier;\n\n";
    if (!out.tables.text.empty()) text += "// ---- Data of the rules ----\n\n" + out.tables.text + "\n";
    text += "// ---- Functions ----\n\n" + out.code;
    text += chain_functions(program);
    text += config_data(program, out, options.exported_namespace);
    // Every top-level function by name, for `naclc test` (the image's linker drops them).
    text += "extern const char* const function_names[];\n";
    text += "extern const appliance::ChainFunction function_entries[];\n";
    text += "extern const std::uint32_t function_count;\n";
    text += "constexpr const char* function_names[] = {";
    for (size_t f : functions)
        text += quote(program.functions[f].name) + ", ";
    text += "nullptr};\nconstexpr appliance::ChainFunction function_entries[] = {";
    for (size_t f : functions)
        text += function_symbol(program, f) + ", ";
    text +=
        "nullptr};\nconstexpr std::uint32_t function_count = " + std::to_string(functions.size()) + ";\n\n";
    text += "} // namespace " + options.exported_namespace + "\n\n";
    text += "#ifndef HALITE_CHAINS_ONLY\nint main() {\n    return appliance::run(" +
            options.exported_namespace + "::config);\n}\n#endif\n";
    return {std::move(text), std::move(out.rules), out.stats};
}

} // namespace codegen
