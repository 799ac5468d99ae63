#pragma once
// The AST: the configuration as written, with a span on every node. Literals
// are already decoded (numbers, addresses, string escapes); names are not
// resolved yet (that is semantic analysis).

#include "nacl/source.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nacl::ast {

struct Ident {
    std::string text;
    Span span;
};

struct Address {
    bool v6 = false;
    std::array<uint8_t, 16> bytes{}; // IPv4 uses the first 4 bytes

    uint32_t v4() const {
        return uint32_t(bytes[0]) << 24 | uint32_t(bytes[1]) << 16 | uint32_t(bytes[2]) << 8 | bytes[3];
    }
    bool operator==(const Address&) const = default;
};

struct Value;

struct Member {
    Ident key;
    std::unique_ptr<Value> value;
};

struct Value {
    enum class Kind { Integer, Address, Prefix, Range, String, Bool, Name, Object, List };
    Kind kind = Kind::Integer;
    Span span;
    uint64_t number = 0;         // Integer, Bool, Prefix length
    Address address;             // Address, Prefix
    std::string text;            // String (decoded)
    std::vector<Ident> path;     // Name: `a` or `a.b.c`
    std::vector<Value> items;    // List items; Range: {low, high}
    std::vector<Member> members; // Object, in source order

    Value() = default;
    Value(Value&&) = default;
    Value& operator=(Value&&) = default;
    Value clone() const;
    bool is_name() const { return kind == Kind::Name; }
    // For a Name: the path joined with dots.
    std::string dotted() const;
};

enum class CompareOp { Eq, Ne, Lt, Gt, Le, Ge, In };

struct Condition {
    enum class Kind { Or, And, Not, Compare };
    Kind kind = Kind::Compare;
    Span span;
    std::vector<Condition> operands; // Or, And (two or more), Not (one)
    CompareOp op = CompareOp::Eq;
    Span op_span;
    std::unique_ptr<Value> lhs, rhs;
};

struct Statement;

struct Block {
    Span span;
    std::vector<Statement> statements;
};

struct Branch {
    Span span; // `if (...)` up to the closing parenthesis
    Condition condition;
    Block body;
};

struct FunctionHead {
    Ident kind;    // Filter, Nat
    Ident subtype; // IP, TCP, UDP, ICMP
};

struct Statement {
    enum class Kind { If, Action, Nested };
    Kind kind = Kind::Action;
    Span span;
    // If: `if` and every `else if`, then an optional `else`.
    std::vector<Branch> branches;
    std::unique_ptr<Block> else_body;
    // Action: an action or a call of a function by name.
    Ident name;
    bool has_parens = false;
    std::vector<Value> args;
    // Nested: an anonymous function.
    FunctionHead head;
    std::unique_ptr<Block> body;
};

struct TypedElement {
    Ident type;
    Ident name;
    Value value;
    Span span;
};

// `name: value` (path of one) or `name.member...: value`.
struct Assignment {
    std::vector<Ident> path;
    Value value;
    Span span;
};

struct Function {
    FunctionHead head;
    Ident name;
    Block body;
    Span span;
};

struct Program {
    std::vector<TypedElement> typed;
    std::vector<Assignment> assignments;
    std::vector<Function> functions;
};

} // namespace nacl::ast
