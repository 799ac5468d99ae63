#include "shadow.hpp"

#include <algorithm>

namespace nacl::sema {

namespace {

using Ranges = std::vector<ir::NumberRange>;

Ranges intersect(const Ranges& a, const Ranges& b) {
    Ranges out;
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        uint64_t lo = std::max(a[i].low, b[j].low), hi = std::min(a[i].high, b[j].high);
        if (lo <= hi) out.push_back({lo, hi});
        if (a[i].high < b[j].high)
            ++i;
        else
            ++j;
    }
    return out;
}

// a is a subset of b (both sorted and disjoint).
bool subset(const Ranges& a, const Ranges& b) {
    size_t j = 0;
    for (auto& r : a) {
        while (j < b.size() && b[j].high < r.low)
            ++j;
        if (j == b.size() || b[j].low > r.low || b[j].high < r.high) return false;
    }
    return true;
}

Ranges complement(const Ranges& a, uint64_t max) {
    Ranges out;
    uint64_t next = 0;
    bool done = false;
    for (auto& r : a) {
        if (r.low > next) out.push_back({next, r.low - 1});
        if (r.high >= max) {
            done = true;
            break;
        }
        next = r.high + 1;
    }
    if (!done) out.push_back({next, max});
    return out;
}

// Raw bytes: the key only has to be equal for equal sets.
void append_key(std::string& key, const Ranges& r) {
    key.append(reinterpret_cast<const char*>(r.data()), r.size() * sizeof(ir::NumberRange));
    key += ';';
}

} // namespace

std::optional<ShadowChecker::Conjunction> ShadowChecker::analyse(const ir::Expr& e) const {
    std::vector<const ir::Expr*> tests;
    if (e.kind == ir::Expr::Kind::Test) {
        tests.push_back(&e);
    } else if (e.kind == ir::Expr::Kind::And) {
        for (auto& o : e.operands) {
            if (o.kind != ir::Expr::Kind::Test) return std::nullopt;
            tests.push_back(&o);
        }
    } else {
        return std::nullopt;
    }
    Conjunction c;
    for (const ir::Expr* te : tests) {
        const ir::Test& t = te->test;
        const ir::FieldInfo& info = ir::field_info(t.field);
        uint64_t max = info.type == ir::FieldType::Address ? 0xFFFFFFFFull : info.max;
        Ranges set;
        bool opaque = false;
        if (info.type == ir::FieldType::Iface) {
            // Iface names as indexes of the interface list.
            auto index = [&](const std::string& name) -> uint64_t {
                for (size_t i = 0; i < sema_.ir_.interfaces.size(); ++i)
                    if (sema_.ir_.interfaces[i].name == name) return i;
                return 0;
            };
            max = 0xFFFF;
            if (t.op == ir::TestOp::In)
                for (auto& n : t.ifaces)
                    set.push_back({index(n), index(n)});
            else
                set.push_back({index(t.iface), index(t.iface)});
            std::sort(set.begin(), set.end());
        } else if (info.type == ir::FieldType::Address) {
            if (t.op == ir::TestOp::In) {
                for (auto& r : t.addresses) {
                    if (r.low.v6)
                        opaque = true;
                    else
                        set.push_back({r.low.to_v4(), r.high.to_v4()});
                }
            } else if (t.address.v6) {
                opaque = true;
            } else {
                set.push_back({t.address.to_v4(), t.address.to_v4()});
            }
        } else if (t.op == ir::TestOp::HasFlags) {
            opaque = true;
        } else if (t.op == ir::TestOp::In) {
            set = t.numbers;
        } else {
            set.push_back({t.number, t.number});
        }
        if (opaque) {
            c.opaque.push_back(std::string(info.name) + std::to_string(int(t.op)) + std::to_string(t.number));
            continue;
        }
        uint64_t v = set.empty() ? 0 : set[0].low;
        switch (t.op) {
        case ir::TestOp::Ne:
            set = complement(set, max);
            break;
        case ir::TestOp::Lt:
            set = v == 0 ? Ranges{} : Ranges{{0, v - 1}};
            break;
        case ir::TestOp::Le:
            set = {{0, v}};
            break;
        case ir::TestOp::Gt:
            set = v >= max ? Ranges{} : Ranges{{v + 1, max}};
            break;
        case ir::TestOp::Ge:
            set = {{v, max}};
            break;
        default:
            break;
        }
        auto it = std::find_if(c.fields.begin(), c.fields.end(), [&](auto& f) { return f.first == t.field; });
        if (it == c.fields.end())
            c.fields.emplace_back(t.field, std::move(set));
        else
            it->second = intersect(it->second, set);
        c.mask |= uint64_t(1) << unsigned(t.field);
    }
    std::sort(c.opaque.begin(), c.opaque.end());
    std::sort(c.fields.begin(), c.fields.end(), [](auto& a, auto& b) { return a.first < b.first; });
    for (auto& [f, r] : c.fields) {
        c.key += static_cast<char>(f);
        append_key(c.key, r);
    }
    for (auto& o : c.opaque)
        c.key += o + ";";
    return c;
}

void ShadowChecker::add(const ir::Statement& s, const ast::Statement& source, bool first_decides) {
    for (size_t b = 0; b < s.branches.size(); ++b) {
        auto c = analyse(s.branches[b].condition);
        if (!c) continue;
        bool empty =
            std::any_of(c->fields.begin(), c->fields.end(), [](auto& f) { return f.second.empty(); });
        if (empty) {
            auto& d =
                sema_.diags_.warning(source.branches[b].condition.span, "this condition can never match");
            add_note(d, "no packet has values that pass every test of it");
            return;
        }
        if (b > 0) continue; // only whole rules (`if` without `else if`) shadow or get shadowed
        const Rule* shadowing = nullptr;
        if (auto it = by_key_.find(c->key); it != by_key_.end()) {
            shadowing = &rules_[it->second];
        } else {
            for (const Rule& earlier : rules_) {
                if (budget_ == 0) break;
                --budget_;
                if ((earlier.c.mask & ~c->mask) != 0) continue;
                bool contained = std::all_of(earlier.c.fields.begin(), earlier.c.fields.end(), [&](auto& f) {
                    auto mine = std::find_if(c->fields.begin(), c->fields.end(),
                                             [&](auto& m) { return m.first == f.first; });
                    return mine != c->fields.end() && subset(mine->second, f.second);
                });
                contained = contained && std::includes(c->opaque.begin(), c->opaque.end(),
                                                       earlier.c.opaque.begin(), earlier.c.opaque.end());
                if (contained) {
                    shadowing = &earlier;
                    break;
                }
            }
        }
        if (shadowing) {
            auto& d =
                sema_.diags_.warning(source.branches[0].span, "this rule is shadowed by an earlier rule");
            add_note(d, "every packet it matches was already decided here", shadowing->span);
            continue;
        }
        if (first_decides) {
            by_key_.emplace(c->key, rules_.size());
            rules_.push_back({std::move(*c), source.branches[0].span});
        }
    }
}

} // namespace nacl::sema
