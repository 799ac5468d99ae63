#include "codegen/rule_runs.hpp"

#include <set>

namespace codegen {

std::optional<Dnf> guard_dnf(const Rule& rule, const ConditionContext& ctx) {
    Dnf out{Term{}};
    for (const Literal& l : rule.guard) {
        std::optional<Dnf> part =
            l.expr ? to_dnf(*l.expr, l.negated, ctx) : std::optional<Dnf>(protocol_is(l.protocol));
        if (!part) return std::nullopt;
        auto next = conjoin(out, *part, ctx.max_terms);
        if (!next) return std::nullopt;
        out = std::move(*next);
    }
    return out;
}

namespace {

size_t box_count(const Dnf& dnf) {
    size_t boxes = 0;
    for (auto& term : dnf) {
        size_t n = 1;
        for (auto& [d, set] : term)
            n *= set.size();
        boxes += n;
    }
    return boxes;
}

} // namespace

std::vector<Segment> plan_segments(const nacl::ir::Program& program, const FlatFunction& flat,
                                   const RunOptions& options) {
    ConditionContext ctx{&program, options.max_terms};
    std::vector<std::optional<Dnf>> dnfs;
    for (const Rule& rule : flat.rules) {
        std::optional<Dnf> dnf = rule.verdict ? guard_dnf(rule, ctx) : std::nullopt;
        if (dnf && box_count(*dnf) > options.max_boxes_per_rule) dnf.reset();
        // A rule that always matches ends a run: as plain code after the lookup it costs nothing, inside
        // a table it would be the answer of every lookup that finds nothing better and stop no pruning.
        if (dnf && dnf->size() == 1 && dnf->front().empty()) dnf.reset();
        dnfs.push_back(std::move(dnf));
    }
    std::vector<Segment> out;
    size_t i = 0;
    while (i < flat.rules.size()) {
        size_t end = i;
        std::set<Dimension> dims;
        while (end < flat.rules.size() && dnfs[end]) {
            std::set<Dimension> more = dims;
            for (auto& term : *dnfs[end])
                for (auto& [d, set] : term)
                    more.insert(d);
            if (more.size() > options.max_dimensions) break;
            dims = std::move(more);
            ++end;
        }
        if (end > i && end - i >= options.table_threshold) {
            Segment s;
            s.table = true;
            s.dims.assign(dims.begin(), dims.end());
            for (size_t r = i; r < end; ++r) {
                s.rules.push_back(&flat.rules[r]);
                auto boxes =
                    to_boxes(*dnfs[r], static_cast<uint32_t>(r - i), s.dims, options.max_boxes_per_rule);
                s.boxes.insert(s.boxes.end(), boxes->begin(), boxes->end());
            }
            out.push_back(std::move(s));
            i = end;
        } else {
            Segment s;
            s.rules.push_back(&flat.rules[i]);
            out.push_back(std::move(s));
            ++i;
        }
    }
    return out;
}

} // namespace codegen
