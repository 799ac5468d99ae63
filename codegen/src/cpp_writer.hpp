#pragma once
// Small pieces of C++ text shared by the emitters: names, literals, packet field reads, conditions.

#include "codegen/flatten.hpp"
#include "codegen/value_sets.hpp"
#include "nacl/ir.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace codegen {

// A C++ string literal for `text`.
std::string quote(std::string_view text);
// A C++ identifier fragment for a NaCl name (`-` becomes `_`).
std::string identifier(std::string_view name);
// "firewall.nacl:12:5"
std::string where(const nacl::ir::Program& program, nacl::ir::Location location);
// The C++ name of a field in appliance::FieldId ("IpSaddr").
std::string_view field_id_name(nacl::ir::Field field);
// The expression reading a dimension of the RulePacket `p` as std::uint32_t.
std::string read_dimension(const Dimension& d);

// Data the conditions need next to the functions (interval tables for large sets).
struct Tables {
    std::string text;
    uint32_t next_id = 0;
};

class ConditionWriter {
public:
    ConditionWriter(const nacl::ir::Program& program, Tables& tables, uint32_t inline_set_limit)
        : program_(program), tables_(tables), inline_set_limit_(inline_set_limit) {}

    std::string expr(const nacl::ir::Expr& e);
    std::string literal(const Literal& l);
    // The conjunction of a guard; empty when it is always true.
    std::string guard(const std::vector<Literal>& literals);

private:
    std::string test(const nacl::ir::Test& t);
    std::string membership(const Dimension& d, const std::string& value, const IntervalSet& set);
    std::string constant(const Dimension& d, uint32_t v);

    const nacl::ir::Program& program_;
    Tables& tables_;
    uint32_t inline_set_limit_;
};

// `a.log(...)`, `a.syslog(...)` or `a.nat(...)` for an effect, with its LogArg table in `tables`.
std::string effect_call(const nacl::ir::Program& program, const ActionRef& ref, Tables& tables);
// `return {Verdict::X, index};` for a verdict (after its nat call for dnat/snat).
std::string verdict_statement(const nacl::ir::Program& program, const ActionRef& ref, Tables& tables,
                              const std::string& indent);
// The Verdict a rule's verdict action returns, as its number (Accept 0, Drop 1, Reject 2).
uint32_t verdict_code(const ActionRef& ref);
// The Decision initializer of a verdict: `{Verdict::Drop, 12}`.
std::string decision_value(const ActionRef& ref);

} // namespace codegen
