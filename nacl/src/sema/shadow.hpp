#pragma once
// Warnings about rules: conditions that can never match, and rules shadowed by
// an earlier rule of the same block that already decided every packet they
// could match.
//
// A condition is analysed when it is a conjunction of tests (no `or`, no
// `not`): each field then has a set of values (ranges). Rule j is shadowed by
// an earlier deciding rule i when every field i tests is tested by j with a
// subset. Identical conditions are found through a hash map whatever the
// size; the general subset search is bounded per block (kShadowBudget) so a
// chain of 100,000 rules stays linear in practice.

#include "sema.hpp"

#include <unordered_map>

namespace nacl::sema {

class ShadowChecker {
public:
    explicit ShadowChecker(Sema& sema) : sema_(sema) {}
    // Each `if` of a block, in order. `first_decides`: the body of its first
    // branch always reaches a verdict.
    void add(const ir::Statement& s, const ast::Statement& source, bool first_decides);

    static constexpr size_t kShadowBudget = 2'000'000;

private:
    struct Conjunction {
        // Value sets over 64-bit keys, sorted by field (a flat vector: these
        // are built for every rule of a large chain).
        std::vector<std::pair<ir::Field, std::vector<ir::NumberRange>>> fields;
        std::vector<std::string> opaque; // tests kept as text (IPv6, flag bits)
        uint64_t mask = 0;               // bit per field
        std::string key;                 // canonical text
    };
    struct Rule {
        Conjunction c;
        Span span;
    };
    std::optional<Conjunction> analyse(const ir::Expr& e) const;

    Sema& sema_;
    std::vector<Rule> rules_;
    std::unordered_map<std::string, size_t> by_key_;
    size_t budget_ = kShadowBudget;
};

} // namespace nacl::sema
