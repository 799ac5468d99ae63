// The compiled translation: the function's flat rules (flatten.hpp) in order; each long run of rules
// that end in a verdict becomes one lookup in a decision table (the first matching rule of the run is
// the one that decides), everything else is plain code.
#include "emit_functions.hpp"

#include "codegen/rule_runs.hpp"

#include <algorithm>

namespace codegen {

using nacl::ir::ActionKind;

namespace {

std::string dimension_name(const Dimension& d) {
    std::string name(nacl::ir::field_info(d.field).name);
    if (d.field == nacl::ir::Field::TcpSport) name = "sport";
    if (d.field == nacl::ir::Field::TcpDport) name = "dport";
    if (d.bit >= 0) name += "[bit " + std::to_string(d.bit) + "]";
    return name;
}

// Table words in hexadecimal: references carry flag bits and bounds are stored with their top bit
// flipped, which reads better as 0x80000050 than as 2147483728.
std::string hex(uint32_t value) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string text;
    do {
        text.insert(text.begin(), digits[value & 0xf]);
        value >>= 4;
    } while (value != 0);
    return "0x" + text;
}

void append_numbers(std::string& text, const std::vector<uint32_t>& values, size_t per_line) {
    for (size_t i = 0; i < values.size(); ++i) {
        text += (i % per_line == 0) ? "\n    " : " ";
        text += hex(values[i]) + ",";
    }
    text += "\n";
}

// One leaf per line (see appliance/classifier/decision_tree.hpp).
void append_leaves(std::string& text, const DecisionTableData& data) {
    auto start = [&](size_t i) { return data.leaf_refs[i] & table_encoding::leaf_offset_mask; };
    for (size_t i = 0; i < data.leaf_refs.size(); ++i) {
        size_t end = i + 1 < data.leaf_refs.size() ? start(i + 1) : data.leaves.size();
        text += "\n   ";
        for (size_t at = start(i); at < end; ++at)
            text += " " + hex(data.leaves[at]) + ",";
    }
    text += "\n";
}

// A classifier::Tree initializer.
std::string tree_value(const DecisionTableData::Tree& tree) {
    return "{" + std::to_string(tree.dimension) + ", " + std::to_string(tree.low) + ", " +
           std::to_string(tree.shift) + ", " + std::to_string(tree.mask) + ", " +
           std::to_string(tree.multiplier) + ", " + std::to_string(tree.buckets) + ", " +
           std::to_string(tree.first) + "}";
}

// The entry shape of each tree position that is the same in every protocol class (its dimension, low,
// shift, mask and multiplier), `no_dimension` where the classes differ: the initializers of the Shapes
// argument of classifier::first_match_inline, or "" when no position has one shape.
std::string entry_shapes(const DecisionTableData& data) {
    const size_t per_class = data.trees_per_class;
    if (per_class == 0 || data.trees.size() % per_class != 0) return "";
    std::string text;
    bool any = false;
    for (size_t t = 0; t < per_class; ++t) {
        DecisionTableData::Tree shape = data.trees[t];
        bool same = true;
        for (size_t at = t + per_class; at < data.trees.size(); at += per_class) {
            const auto& tree = data.trees[at];
            same = same && tree.dimension == shape.dimension && tree.low == shape.low &&
                   tree.shift == shape.shift && tree.mask == shape.mask &&
                   tree.multiplier == shape.multiplier;
        }
        shape.buckets = 0; // the class's own
        shape.first = 0;
        text += (t ? ", " : "") +
                (same ? tree_value(shape) : std::string("{classifier::no_dimension, 0, 0, 0, 0, 0, 0}"));
        any = any || same;
    }
    return any ? text : "";
}

struct CompiledWriter {
    const nacl::ir::Program& program;
    const EmitOptions& options;
    FunctionOutput& out;
    ConditionWriter conditions;
    std::string symbol;

    void plain(const Rule& rule) {
        std::string& code = out.code;
        std::string g = conditions.guard(rule.guard);
        std::string indent = g.empty() ? "    " : "        ";
        if (!g.empty()) code += "    if (" + g + ") {\n";
        for (auto& e : rule.effects)
            code += indent + effect_call(program, e, out.tables) + "\n";
        if (rule.verdict) code += verdict_statement(program, *rule.verdict, out.tables, indent);
        if (!g.empty()) code += "    }\n";
        out.stats.plain_rules += static_cast<uint32_t>(rule.effects.size() + (rule.verdict ? 1 : 0));
    }

    void table(const Segment& segment) {
        const std::vector<const Rule*>& run = segment.rules;
        const std::vector<Dimension>& dims = segment.dims;
        const std::vector<Box>& boxes = segment.boxes;
        std::string name = symbol + "_t" + std::to_string(out.stats.tables++);
        const ActionRef& first = *run.front()->verdict;
        const ActionRef& last = *run.back()->verdict;
        std::string span = where(program, first.location) + " .. " + where(program, last.location);
        std::string& code = out.code;
        out.stats.table_rules += static_cast<uint32_t>(run.size());
        if (boxes.empty()) {
            code += "    // " + span + ": " + std::to_string(run.size()) + " rules that can never match\n";
            return;
        }
        // A box's rule word is its rule's place in the run and that rule's verdict, r << 2 | verdict: the
        // smallest word is still the first rule, and the chain reads the verdict from the word instead of
        // loading it from a table of decisions (a load at the end of every lookup, from a table of 8 bytes
        // per rule: fw 10,000 rules 29.4-31.2 -> 27.8-29.1 ns; codegen/docs/classifier.md round 11).
        std::vector<Box> coded = boxes;
        for (Box& box : coded)
            box.rule = box.rule << 2 | verdict_code(*run[box.rule]->verdict);
        DecisionTableData data = build_decision_table(coded, dims, options.tree);
        out.stats.boxes += boxes.size();
        out.stats.nodes += data.inner_nodes;
        out.stats.items += data.leaf_boxes;

        std::string dim_list;
        for (auto& d : dims)
            dim_list += (dim_list.empty() ? "" : ", ") + dimension_name(d);
        std::string& t = out.tables.text;
        t += "// " + name + ": rules " + span + ": " + std::to_string(run.size()) + " rules, " +
             std::to_string(boxes.size()) + " boxes over (" + dim_list + "); " +
             std::to_string(std::count_if(data.trees.begin(), data.trees.end(),
                                          [](auto& tree) { return tree.min_rule != 0xffffffff; })) +
             " trees, " + std::to_string(data.inner_nodes) + " nodes, " +
             std::to_string(data.leaf_refs.size()) + " leaves holding " + std::to_string(data.leaf_boxes) +
             " boxes, depth <= " + std::to_string(data.max_depth) + ".\n";
        t += "// Leaves: a block of 4 box slots x 4 checked dimensions (per dimension the slots' lows and\n"
             "// spans, top bit flipped, then the dimensions and the slots' rules) or, marked in the "
             "reference,\n"
             "// rows of boxes.\n" +
             std::string(
                 data.block_dimensions == table_encoding::per_leaf_dimensions
                     ? ""
                     : "// Every block checks the same four dimensions (the table's block_dimensions).\n") +
             std::string(data.packed_lanes
                             ? "// Blocks are packed: the last two dimensions are 16-bit and share "
                               "one vector; 32 words on a 64-byte line.\n"
                             : "") +
             "// Nodes: one 16-word line each. A lookup walks its class's " +
             std::to_string(data.trees_per_class) + " trees until each is at its leaf.\n";
        t += "alignas(64) constexpr std::uint32_t " + name + "_leaves[] = {";
        append_leaves(t, data);
        t += "};\nconstexpr std::uint32_t " + name + "_items[] = {";
        append_numbers(t, data.items, 16);
        t += "};\nalignas(64) constexpr std::uint32_t " + name + "_nodes[] = {";
        append_numbers(t, data.nodes, 16);
        t += "};\nalignas(64) constexpr std::uint32_t " + name + "_entries[] = {";
        append_numbers(t, data.entries, 16);
        t += "};\nconstexpr classifier::Tree " + name + "_trees[] = {";
        for (auto& tree : data.trees)
            t += tree_value(tree) + ", ";
        if (!data.trees.empty()) t.resize(t.size() - 2);
        t += "};\nconstexpr classifier::DecisionTable " + name + " = {" + std::to_string(dims.size()) + ", " +
             (data.protocol_dimension == 0xffffffff ? std::string("classifier::no_dimension")
                                                    : std::to_string(data.protocol_dimension)) +
             ", " + std::to_string(data.trees_per_class) + ", " +
             (data.block_dimensions == table_encoding::per_leaf_dimensions
                  ? std::string("classifier::per_leaf_dimensions")
                  : hex(data.block_dimensions)) +
             ", " + std::to_string(data.row_leaves()) + ", " + std::to_string(data.packed_lanes) + ", " +
             name + "_leaves, " + name + "_items, " + name + "_nodes, " + name + "_entries, " + name +
             "_trees};\n";
        // The lookup is written into the chain for this many trees per class (first_match_inline), with
        // the entry shapes that a tree position has in every class as constants.
        std::string inline_args = std::to_string(data.trees_per_class);
        const std::string shapes = entry_shapes(data);
        if (!shapes.empty()) {
            t += "constexpr classifier::Tree " + name + "_shapes[] = {" + shapes + "};\n";
            inline_args += ", " + name + "_shapes";
            t += "static_assert(classifier::shapes_agree<" + std::to_string(data.trees_per_class) + ">(" +
                 name + ", " + name + "_shapes));\n";
        } else {
            t += "static_assert(" + name + ".trees_per_class == " + inline_args + ");\n";
        }
        const uint64_t bytes = data.bytes();
        std::string key_values; // the key's values as the chain reads them from its RulePacket `p`
        for (size_t i = 0; i < dims.size(); ++i)
            key_values += (i ? ", " : "") + read_dimension(dims[i]);
        const bool prepared =
            dims.size() <= table_encoding::prepared_key_words && bytes >= options.prepare_min_bytes;
        if (prepared) {
            t += "// " + name + " looked up for a burst ahead of the chain (" + std::to_string(bytes / 1024) +
                 " KiB: a lookup waits for memory).\n";
            t += "[[maybe_unused]] void " + name +
                 "_prepare(std::span<const RulePacket> packets, classifier::PreparedMatch* out) {\n";
            t += "    for (std::size_t i = 0; i < packets.size(); ++i) {\n";
            t += "        const RulePacket& p = packets[i];\n";
            t += "        out[i] = {&" + name + ", classifier::no_match, 0, {" + key_values + "}};\n    }\n";
            t += "    classifier::prepare_matches_inline<" + inline_args + ">(" + name +
                 ", out, packets.size());\n}\n";
            PreparedTable& best = out.prepared[symbol];
            if (bytes > best.bytes) best = {name + "_prepare", bytes};
        }
        // What each rule of the table decides, with its source. When the rules' decision numbers follow
        // their places in the run (a run is consecutive rules), the decision is the rule word's verdict and
        // the first number plus its place; otherwise a table of decisions, by place.
        const uint32_t first_index = run.front()->verdict->index;
        bool consecutive = true;
        bool effects = false;
        for (size_t r = 0; r < run.size(); ++r) {
            const Rule& rule = *run[r];
            consecutive = consecutive && rule.verdict->index == first_index + r;
            auto kind = rule.verdict->action->kind;
            effects =
                effects || !rule.effects.empty() || kind == ActionKind::Dnat || kind == ActionKind::Snat;
        }
        t += consecutive ? "// " + name + "'s rules by place (a rule word is place << 2 | verdict):\n"
                         : "constexpr Decision " + name + "_decisions[] = {\n";
        for (size_t r = 0; r < run.size(); ++r) {
            const ActionRef& verdict = *run[r]->verdict;
            const std::string place = std::to_string(r), source = where(program, verdict.location);
            t += consecutive ? "//   " + place + ": " + decision_value(verdict) + " " + source + "\n"
                             : "    " + decision_value(verdict) + ", // " + place + ": " + source + "\n";
        }
        t += consecutive ? "\n" : "};\n\n";

        code += "    // " + span + ": " + std::to_string(run.size()) + " rules, one lookup in " + name + "\n";
        code += "    {\n        const std::uint32_t key[] = {" + key_values + "};\n";
        code += "        const std::uint32_t m = classifier::first_match_inline<" + inline_args + ">(" +
                name + ", key" + (prepared ? ", p.prepared" : "") + ");\n";
        code += "        if (m != classifier::no_match) {\n";
        if (effects) {
            code += "            switch (m >> 2) {\n";
            for (size_t r = 0; r < run.size(); ++r) {
                const Rule& rule = *run[r];
                auto kind = rule.verdict->action->kind;
                bool nat = kind == ActionKind::Dnat || kind == ActionKind::Snat;
                if (rule.effects.empty() && !nat) continue;
                code += "            case " + std::to_string(r) + ":\n";
                for (auto& e : rule.effects)
                    code += "                " + effect_call(program, e, out.tables) + "\n";
                if (nat) code += "                " + effect_call(program, *rule.verdict, out.tables) + "\n";
                code += "                break;\n";
            }
            code += "            default:\n                break;\n            }\n";
        }
        if (consecutive)
            code += "            return {static_cast<Verdict>(m & 3), " + std::to_string(first_index) +
                    " + (m >> 2)};\n        }\n    }\n";
        else
            code += "            return " + name + "_decisions[m >> 2];\n        }\n    }\n";
    }

    void function(const FlatFunction& flat) {
        RunOptions run{options.table_threshold, options.max_terms, options.max_boxes_per_rule, 32};
        for (const Segment& segment : plan_segments(program, flat, run)) {
            if (segment.table)
                table(segment);
            else
                plain(*segment.rules.front());
        }
    }
};

} // namespace

void emit_compiled_function(const nacl::ir::Program& program, size_t function, const EmitOptions& options,
                            FunctionOutput& out) {
    const auto& f = program.functions[function];
    uint32_t next = static_cast<uint32_t>(out.rules.size());
    FlatFunction flat = flatten(program, function, next, out.rules);
    std::string symbol = function_symbol(program, function);
    std::string& code = out.code;
    code += "// " + std::string(f.kind == nacl::ir::FunctionKind::Nat ? "Nat" : "Filter") + "::IP " + f.name +
            " (" + where(program, f.location) + "): " + std::to_string(flat.rules.size()) + " flat rules\n";
    std::string body;
    std::swap(body, code);
    CompiledWriter writer{program, options, out,
                          ConditionWriter(program, out.tables, options.inline_set_limit), symbol};
    writer.function(flat);
    std::swap(body, code);
    code += "Decision " + symbol + "(RulePacket& p, ActionSink& a) {\n    (void)p;\n    (void)a;\n" + body;
    code += "    return {Verdict::Accept, appliance::rule_none};\n}\n\n";
}

} // namespace codegen
