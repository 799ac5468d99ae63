#pragma once
// A top-level function as a flat list of guarded rules, the form the rule compiler works on.
//
// Inside one function the packet does not change (a dnat/snat ends it), so every action runs exactly
// when its path condition holds and no earlier verdict fired: the conjunction of the `if` conditions
// around it, the negations of earlier `else if` branches that did not decide, and the protocol of the
// nested or called functions it sits in. Running the rules in order, first verdict wins, is the
// function's meaning. Calls are expanded in place, so an action reached through two calls is two rules.

#include "nacl/ir.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace codegen {

// One conjunct of a rule's guard: a condition of the source (possibly negated) or a protocol check
// added by a nested or called function of subtype TCP/UDP/ICMP.
struct Literal {
    const nacl::ir::Expr* expr = nullptr; // null: `ip.protocol == protocol`
    bool negated = false;
    uint8_t protocol = 0;
};

// An action statement instance: its index in the program's rule table and its source.
struct ActionRef {
    const nacl::ir::Action* action = nullptr;
    nacl::ir::Location location;
    uint32_t index = 0;
};

struct Rule {
    std::vector<Literal> guard;
    std::vector<ActionRef> effects;   // log / syslog, in order
    std::optional<ActionRef> verdict; // accept, drop, reject, dnat, snat; none: only effects
};

struct FlatFunction {
    size_t function = 0; // index in Program::functions
    std::vector<Rule> rules;
};

// The rule table of a program: every action instance of every top-level function, numbered in
// depth-first source order (calls expanded). Both code generators number the same way.
struct RuleEntry {
    std::string function; // top-level function
    nacl::ir::Location location;
};

// The functions that get a C++ function: every function of subtype IP (chains and `naclc test` name
// them), in program order.
std::vector<size_t> top_level_functions(const nacl::ir::Program& program);

// Flattens one top-level function. `next_index` numbers its action instances and is advanced;
// `table` gets one entry per instance.
FlatFunction flatten(const nacl::ir::Program& program, size_t function, uint32_t& next_index,
                     std::vector<RuleEntry>& table);

// The protocol number of a subtype (0 for IP).
uint8_t protocol_number(nacl::ir::Protocol p);

// Whether every run of `body` (in a function of subtype `context`) reaches a verdict.
bool always_decides(const nacl::ir::Program& program, const std::vector<nacl::ir::Statement>& body,
                    nacl::ir::Protocol context);

} // namespace codegen
