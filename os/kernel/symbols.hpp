// The image's function table, used to symbolise panic backtraces. The image
// cannot read its own ELF symbols (only loadable segments are in memory), so
// the link step extracts them (tools/symtab) and links them back in as a
// read-only section in this format, little endian:
//
//   u32 magic "HSYM", u32 count, u32 strings offset, u32 total bytes,
//   count x { u64 address, u32 size, u32 name offset }  (sorted by address),
//   NUL-terminated names (demangled).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace os::kernel {

inline constexpr std::uint32_t symtab_magic = 0x4d595348; // "HSYM"

struct Symbol {
    std::string_view name;
    std::uint64_t address;
    std::uint32_t size;
};

class SymbolTable {
public:
    // nullopt when the bytes are not a well-formed table; an empty span is a
    // valid empty table (the first link pass has none).
    static std::optional<SymbolTable> parse(std::span<const std::byte> bytes);

    std::size_t size() const noexcept { return count_; }
    Symbol at(std::size_t index) const;
    // The function containing `address`: the nearest symbol at or below it,
    // if `address` is inside its size (size 0, e.g. assembly labels: nearest
    // wins).
    std::optional<Symbol> lookup(std::uint64_t address) const;

private:
    std::span<const std::byte> bytes_;
    std::uint32_t count_ = 0;
    std::uint32_t strings_ = 0;
};

struct SymbolInput {
    std::string name;
    std::uint64_t address;
    std::uint64_t size;
};

// Builds a table (host side: the symtab tool and tests). Sorted by address;
// of several symbols at one address the first given is kept.
std::vector<std::byte> encode_symbol_table(std::vector<SymbolInput> symbols);

} // namespace os::kernel
