#pragma once
// Internal state of semantic analysis, shared by the passes in this folder.
// Each pass is one file: elements (collection, member assignments, reference
// cycles), values (resolution and reading typed values), one file per typed
// object, functions, conditions, chains, warnings.

#include "nacl/ast.hpp"
#include "nacl/diagnostics.hpp"
#include "nacl/ir.hpp"

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace nacl::sema {

enum class ElementKind { Constant, Iface, Gateway, Conntrack, LoadBalancer, Syslog, Timer, Function };

struct Element {
    ElementKind kind = ElementKind::Constant;
    std::string name;
    Span name_span;
    Span span;
    ast::Value* value = nullptr;       // constants and typed elements
    ast::Function* function = nullptr; // functions
    bool valid = true;                 // false: already reported, skip silently
    bool in_cycle = false;             // constants in a reference cycle
    uint32_t uses = 0;
    size_t ir_index = 0; // Iface: in Program::interfaces; Function: in Program::functions
};

// What a predefined constant is, so `tcp.dport == tcp` can say "a protocol".
enum class Domain { TcpFlag, Port, Protocol, IcmpType, CtState, Algorithm };

struct Predefined {
    Domain domain;
    uint64_t value;
};

// Facts about a function that callers and chains need.
struct FunctionFacts {
    bool converted = false;
    bool decides = false; // every packet it runs on reaches a verdict
    bool uses_dnat = false, uses_snat = false, uses_iif = false, uses_oif = false;
    bool empty = false;
    bool ends_with_verdict = false; // last top-level statement is accept, drop or reject
    Span last_statement;            // for the message when it does not
};

// The function being converted, and the innermost nested function's subtype.
struct FunctionScope {
    Element* element = nullptr;
    ir::FunctionKind kind = ir::FunctionKind::Filter;
    ir::Protocol subtype = ir::Protocol::Ip;
    FunctionFacts* facts = nullptr;
};

class Sema {
public:
    Sema(ast::Program& program, const SourceFile& file, Diagnostics& diags);
    std::optional<ir::Program> run();

    // ---- elements.cpp
    void collect();
    void apply_member_assignments();
    void find_reference_cycles();

    // ---- values.cpp: resolution
    Element* find(std::string_view name);
    // Follows names of constants (and member paths) to the value they stand
    // for. Stops at a name that is not a constant (an Iface, a function, a
    // predefined constant or an undefined name). nullptr: already reported.
    const ast::Value* deref(const ast::Value& value);
    // deref, then flatten lists (and, with open_objects, the values of
    // objects) into leaves, in order, each leaf deref'ed.
    std::vector<const ast::Value*> flatten(const ast::Value& value, bool open_objects = true);
    static std::optional<Predefined> predefined(std::string_view name);
    static std::string describe(const ast::Value& value);
    ir::Location ir_location(Span span) const;

    // ---- values.cpp: reading typed values (report and return nullopt)
    std::optional<uint64_t> read_integer(const ast::Value& v, uint64_t min, uint64_t max,
                                         const std::string& what);
    std::optional<ir::Ip> read_ipv4(const ast::Value& v, const std::string& what);
    std::optional<ir::Ip> read_address(const ast::Value& v, const std::string& what); // IPv4 or IPv6
    std::optional<bool> read_bool(const ast::Value& v, const std::string& what);
    // A word from `words` (case-insensitive); returns its index.
    std::optional<size_t> read_word(const ast::Value& v, const std::vector<std::string>& words,
                                    const std::string& what);
    std::optional<std::string> read_mac(const ast::Value& v, const std::string& what);
    Element* read_element(const ast::Value& v, ElementKind kind, const std::string& what);
    const ast::Value* read_object(const ast::Value& v, const std::string& what);
    void report_undefined(const ast::Value& name, const std::vector<std::string>& also);

    // ---- objects: one file per type
    void build_interfaces();
    void build_gateway();
    void build_conntrack();
    void build_load_balancers();
    void build_syslog();
    void build_timers();
    void check_nics();

    // ---- functions.cpp / conditions.cpp
    void build_functions();
    // A call of function `callee` (an index in the IR's functions), at `span`.
    struct CallSite {
        size_t callee;
        Span span;
    };
    void check_call_expansion(const std::vector<size_t>& order,
                              const std::vector<std::vector<CallSite>>& calls);
    std::vector<ir::Statement> convert_block(const ast::Block& block, FunctionScope& scope, bool& decides);
    std::optional<ir::Statement> convert_statement(const ast::Statement& s, FunctionScope& scope,
                                                   bool& decides);
    std::optional<ir::Statement> convert_action(const ast::Statement& s, FunctionScope& scope, bool& decides);
    std::optional<ir::Expr> convert_condition(const ast::Condition& c, FunctionScope& scope);
    std::optional<ir::Expr> convert_comparison(const ast::Condition& c, FunctionScope& scope);
    // A packet property written in `value`, checked against the scope.
    std::optional<ir::Field> property(const ast::Value& value, FunctionScope& scope, bool report_unknown);

    // ---- chains.cpp
    void build_chains();

    // ---- warnings.cpp
    void warn_unused();

    ast::Program& program_;
    const SourceFile& file_;
    Diagnostics& diags_;
    ir::Program ir_;

    std::unordered_map<std::string, Element> elements_;
    std::vector<Element*> order_;      // source order, every kind
    std::vector<FunctionFacts> facts_; // by ir_index of functions
    std::vector<Element*> functions_;  // by ir_index
    Element* gateway_ = nullptr;
    Element* conntrack_ = nullptr;
    Element* syslog_ = nullptr;
    // Chain pushes recorded by interfaces and the gateway: (element, hook, value)
    struct ChainRequest {
        std::string iface;
        ir::Hook hook;
        const ast::Value* value;
        Span key_span;
    };
    std::vector<ChainRequest> chain_requests_;
    bool counting_uses_ = true;
    std::vector<bool> branch_decides_;           // of the last `if` converted, per branch
    std::vector<const ast::Value*> deref_stack_; // names being resolved, to find cycles
    std::vector<std::string> reported_cycles_;
    void report_cycle(const std::vector<std::string>& names);
};

std::string lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
std::string quoted(std::string_view s); // `s`
std::string element_kind_name(ElementKind kind);

} // namespace nacl::sema
