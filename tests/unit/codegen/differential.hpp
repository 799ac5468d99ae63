#pragma once
// The generated units the differential test links: per configuration its --linear translation, its
// compiled translation, and the compiled one with every run of rules made a decision table
// (--table-threshold 1). The registry is written by CMakeLists.txt.

#include "appliance/config.hpp"

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <vector>

namespace codegen_test {

struct GeneratedUnit {
    const appliance::Config* config;
    const appliance::ChainFunction* functions; // every top-level function, in top_level_functions() order
    const std::uint32_t* function_count;
};

struct DifferentialConfig {
    const char* name;
    const char* path; // the .nacl
    GeneratedUnit linear, compiled, tables;
};

const std::vector<DifferentialConfig>& differential_configs();

// GoogleTest prints a parameter by name.
inline void PrintTo(const DifferentialConfig& c, std::ostream* out) {
    *out << c.name;
}

} // namespace codegen_test
