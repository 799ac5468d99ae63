// --linear: the statements as written. Calls are expanded in place (a verdict inside still returns
// from the top-level function); nested functions of another protocol test it first.
#include "emit_functions.hpp"

namespace codegen {

using nacl::ir::ActionKind;
using nacl::ir::Protocol;
using nacl::ir::Statement;

std::string function_symbol(const nacl::ir::Program& program, size_t function) {
    return "fn_" + std::to_string(function) + "_" + identifier(program.functions[function].name);
}

namespace {

std::string_view kind_name(nacl::ir::FunctionKind k) {
    return k == nacl::ir::FunctionKind::Nat ? "Nat" : "Filter";
}

std::string subtype_name(Protocol p) {
    static constexpr std::string_view names[] = {"IP", "TCP", "UDP", "ICMP"};
    return std::string(names[size_t(p)]);
}

struct LinearWriter {
    const nacl::ir::Program& program;
    FunctionOutput& out;
    ConditionWriter conditions;
    const std::string& function_name;
    uint32_t next_index;

    ActionRef take(const Statement& s) {
        out.rules.push_back({function_name, s.location});
        return {&s.action, s.location, next_index++};
    }

    void body(const std::vector<Statement>& statements, Protocol context, const std::string& indent) {
        for (const Statement& s : statements)
            statement(s, context, indent);
    }

    void scope(const std::string& header, const std::vector<Statement>& inner, Protocol sub, Protocol context,
               const std::string& indent) {
        bool runs = sub == Protocol::Ip || sub == context;
        std::string& code = out.code;
        if (runs)
            code += indent + "{ // " + header + "\n";
        else
            code += indent + "if (p.protocol == " + std::to_string(protocol_number(sub)) + "u) { // " +
                    header + "\n";
        body(inner, sub == Protocol::Ip ? context : sub, indent + "    ");
        code += indent + "}\n";
    }

    void statement(const Statement& s, Protocol context, const std::string& indent) {
        std::string& code = out.code;
        switch (s.kind) {
        case Statement::Kind::Action: {
            ActionRef ref = take(s);
            if (s.action.kind == ActionKind::Log || s.action.kind == ActionKind::Syslog)
                code += indent + effect_call(program, ref, out.tables) + "\n";
            else
                code += verdict_statement(program, ref, out.tables, indent);
            ++out.stats.plain_rules;
            return;
        }
        case Statement::Kind::If: {
            for (size_t i = 0; i < s.branches.size(); ++i) {
                const auto& b = s.branches[i];
                code += (i == 0 ? indent + "if (" : " else if (") + conditions.expr(b.condition) + ") { // " +
                        where(program, b.location) + "\n";
                body(b.body, context, indent + "    ");
                code += indent + "}";
            }
            if (s.has_else) {
                code += " else {\n";
                body(s.body, context, indent + "    ");
                code += indent + "}";
            }
            code += "\n";
            return;
        }
        case Statement::Kind::Nested: {
            scope("nested ::" + subtype_name(s.nested_subtype) + " (" + where(program, s.location) + ")",
                  s.body, s.nested_subtype, context, indent);
            return;
        }
        case Statement::Kind::Call: {
            const auto& f = program.functions[s.callee];
            scope("call " + f.name + " (" + where(program, s.location) + ")", f.body, f.subtype, context,
                  indent);
            return;
        }
        }
    }
};

} // namespace

void emit_linear_function(const nacl::ir::Program& program, size_t function, const EmitOptions& options,
                          FunctionOutput& out) {
    const auto& f = program.functions[function];
    std::string& code = out.code;
    code += "// " + std::string(kind_name(f.kind)) + "::" + subtype_name(f.subtype) + " " + f.name + " (" +
            where(program, f.location) + "), as written\n";
    code += "Decision " + function_symbol(program, function) + "(RulePacket& p, ActionSink& a) {\n";
    code += "    (void)p;\n    (void)a;\n";
    LinearWriter writer{program, out, ConditionWriter(program, out.tables, options.inline_set_limit), f.name,
                        static_cast<uint32_t>(out.rules.size())};
    writer.body(f.body, f.subtype, "    ");
    code += "    return {Verdict::Accept, appliance::rule_none};\n}\n\n";
}

} // namespace codegen
