#pragma once
// A host harness around generated chains: the generated C++ compiled with the linux platform's compiler
// and flags (build/lib/halite/linux.flags) together with codegen/harness/, run on packets in one process.
// `naclc test` uses it, so the chains it checks are the very C++ an image contains.

#include "nacl/evaluate.hpp"
#include "nacl/ir.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace codegen {

struct HarnessInput {
    bool chain = true; // true: Program::chains[index]; false: the index-th top_level_functions() entry
    uint32_t index = 0;
    std::array<uint64_t, nacl::ir::kFieldCount> fields{}; // appliance::FieldId order; iif/oif as indices
};

struct HarnessOutput {
    uint8_t verdict = 0; // appliance::Verdict
    int64_t rule = -1;   // -1: rule_none
    std::string effects; // " L3 S4 N5": log, syslog, nat calls in order
};

// The harness fields of an evaluator packet (iif/oif names become Iface indices, 0xff when none).
std::array<uint64_t, nacl::ir::kFieldCount> harness_fields(const nacl::ir::Program& program,
                                                           const nacl::ir::Packet& packet);

class Harness {
public:
    // Compiles `cpp` (a generated unit) in `work` with the flags of `lib_dir`/linux.flags.
    static std::optional<Harness> compile(const std::string& cpp, const std::filesystem::path& lib_dir,
                                          const std::filesystem::path& work, std::string& error);

    std::optional<std::vector<HarnessOutput>> run(const std::vector<HarnessInput>& inputs,
                                                  std::string& error) const;

private:
    std::filesystem::path executable_, work_;
};

} // namespace codegen
