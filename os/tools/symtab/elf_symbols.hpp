// Function symbols of an ELF64 little-endian file (ELF gABI, "Symbol Table").
#pragma once

#include "kernel/symbols.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace os::tools {

// The defined STT_FUNC symbols with their demangled names, or an error text.
std::variant<std::vector<os::kernel::SymbolInput>, std::string>
elf_functions(std::span<const std::byte> file);

} // namespace os::tools
