#include "codegen/case_table.hpp"
#include "codegen/commands.hpp"
#include "codegen/harness.hpp"
#include "codegen/toolchain.hpp"
#include "nacl/evaluate.hpp"

#include <fstream>
#include <ostream>
#include <sstream>

namespace codegen {

namespace {

std::string_view verdict_name(uint8_t v) {
    static constexpr std::string_view names[] = {"accept", "drop", "reject"};
    return v < 3 ? names[v] : "?";
}

std::string rule_text(const nacl::ir::Program& program, const std::vector<RuleEntry>& rules, int64_t rule) {
    if (rule < 0 || size_t(rule) >= rules.size()) return "no rule decided: the chain ends accepting";
    const RuleEntry& r = rules[size_t(rule)];
    return "decided by " + r.function + " at " + program.file + ":" + std::to_string(r.location.line) + ":" +
           std::to_string(r.location.column);
}

} // namespace

int run_test_command(const nacl::ir::Program& program, const TestCommand& command, std::ostream& out,
                     std::ostream& err) {
    std::ifstream in(command.cases_path, std::ios::binary);
    if (!in) {
        err << "naclc: error: cannot read " << command.cases_path << "\n";
        return 2;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    CaseTableError error;
    auto cases = parse_case_table(program, buffer.str(), error);
    if (!cases) {
        err << command.cases_path << ":" << error.line << ":" << error.column << ": error: " << error.message
            << "\n";
        return 2;
    }
    EmitResult emitted = emit_cpp(program, command.emit);
    TempDir work;
    if (!work.ok()) {
        err << "naclc: error: cannot create a temporary directory\n";
        return 1;
    }
    std::string message;
    auto harness = Harness::compile(emitted.text, command.lib_dir, work.path(), message);
    if (!harness) {
        err << "naclc: error: " << message << "\n";
        return 1;
    }
    std::vector<HarnessInput> inputs;
    for (auto& c : *cases) {
        if (c.empty_hook) continue;
        inputs.push_back({c.is_chain, c.index, harness_fields(program, c.packet)});
    }
    auto results = harness->run(inputs, message);
    if (!results) {
        err << "naclc: error: " << message << "\n";
        return 1;
    }
    auto functions = top_level_functions(program);
    size_t passed = 0, failed = 0, next = 0;
    bool disagreement = false;
    for (auto& c : *cases) {
        HarnessOutput got{0, -1, {}};
        if (!c.empty_hook) got = (*results)[next++];
        // The reference evaluator must agree with the compiled chain; if not, naclc itself is wrong.
        nacl::ir::Chain single{nacl::ir::Hook::Forward, "", {}};
        const nacl::ir::Chain* chain = &single;
        if (c.is_chain && !c.empty_hook) chain = &program.chains[c.index];
        if (!c.is_chain) single.functions.push_back({functions[c.index], {}});
        nacl::ir::Decision reference = nacl::ir::evaluate(program, *chain, c.packet);
        bool same_rule = got.rule < 0 ? !reference.location
                                      : reference.location && size_t(got.rule) < emitted.rules.size() &&
                                            emitted.rules[size_t(got.rule)].location == *reference.location &&
                                            emitted.rules[size_t(got.rule)].function == reference.function;
        if (uint8_t(reference.verdict) != got.verdict || !same_rule) {
            err << "naclc: internal error: " << command.cases_path << ":" << c.line
                << ": the compiled chain and the reference evaluator disagree\n";
            disagreement = true;
        }
        if (got.verdict == uint8_t(c.expect)) {
            ++passed;
            continue;
        }
        ++failed;
        out << command.cases_path << ":" << c.line << ": expected " << verdict_name(uint8_t(c.expect))
            << ", got " << verdict_name(got.verdict) << " (" << rule_text(program, emitted.rules, got.rule)
            << ")\n";
        out << "    " << c.text << "\n";
    }
    out << passed << " passed, " << failed << " failed\n";
    return failed == 0 && !disagreement ? 0 : 1;
}

} // namespace codegen
