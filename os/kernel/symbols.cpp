#include "symbols.hpp"

#include <algorithm>
#include <cstring>

namespace os::kernel {

namespace {

constexpr std::size_t header_size = 16;
constexpr std::size_t entry_size = 16;

template <class T>
T load(std::span<const std::byte> bytes, std::size_t offset) {
    T value;
    std::memcpy(&value, bytes.data() + offset, sizeof value);
    return value;
}

template <class T>
void store(std::vector<std::byte>& bytes, std::size_t offset, T value) {
    std::memcpy(bytes.data() + offset, &value, sizeof value);
}

} // namespace

std::optional<SymbolTable> SymbolTable::parse(std::span<const std::byte> bytes) {
    SymbolTable t;
    if (bytes.empty()) return t;
    if (bytes.size() < header_size || load<std::uint32_t>(bytes, 0) != symtab_magic) return std::nullopt;
    const auto count = load<std::uint32_t>(bytes, 4);
    const auto strings = load<std::uint32_t>(bytes, 8);
    const auto total = load<std::uint32_t>(bytes, 12);
    if (total > bytes.size() || strings > total || strings < header_size ||
        (strings - header_size) / entry_size < count)
        return std::nullopt;
    // Names must end inside the table, or lookups could run off its end.
    if (total > strings && bytes[total - 1] != std::byte{0}) return std::nullopt;
    t.bytes_ = bytes.first(total);
    t.count_ = count;
    t.strings_ = strings;
    for (std::uint32_t i = 0; i < count; ++i) {
        if (load<std::uint32_t>(t.bytes_, header_size + i * entry_size + 12) >= total - strings)
            return std::nullopt;
    }
    return t;
}

Symbol SymbolTable::at(std::size_t index) const {
    const std::size_t e = header_size + index * entry_size;
    const auto name_offset = load<std::uint32_t>(bytes_, e + 12);
    const char* name = reinterpret_cast<const char*>(bytes_.data() + strings_ + name_offset);
    return Symbol{std::string_view{name}, load<std::uint64_t>(bytes_, e), load<std::uint32_t>(bytes_, e + 8)};
}

std::optional<Symbol> SymbolTable::lookup(std::uint64_t address) const {
    // The last entry whose address is <= `address`.
    std::size_t lo = 0, hi = count_;
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (load<std::uint64_t>(bytes_, header_size + mid * entry_size) <= address) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) return std::nullopt;
    const Symbol s = at(lo - 1);
    if (s.size != 0 && address - s.address >= s.size) return std::nullopt;
    return s;
}

std::vector<std::byte> encode_symbol_table(std::vector<SymbolInput> symbols) {
    std::stable_sort(symbols.begin(), symbols.end(),
                     [](const SymbolInput& a, const SymbolInput& b) { return a.address < b.address; });
    symbols.erase(
        std::unique(symbols.begin(), symbols.end(),
                    [](const SymbolInput& a, const SymbolInput& b) { return a.address == b.address; }),
        symbols.end());
    const std::size_t strings = header_size + symbols.size() * entry_size;
    std::size_t total = strings;
    for (const auto& s : symbols)
        total += s.name.size() + 1;
    std::vector<std::byte> out(total);
    store<std::uint32_t>(out, 0, symtab_magic);
    store<std::uint32_t>(out, 4, static_cast<std::uint32_t>(symbols.size()));
    store<std::uint32_t>(out, 8, static_cast<std::uint32_t>(strings));
    store<std::uint32_t>(out, 12, static_cast<std::uint32_t>(total));
    std::size_t name_at = 0;
    for (std::size_t i = 0; i < symbols.size(); ++i) {
        const std::size_t e = header_size + i * entry_size;
        store<std::uint64_t>(out, e, symbols[i].address);
        store<std::uint32_t>(
            out, e + 8, static_cast<std::uint32_t>(std::min<std::uint64_t>(symbols[i].size, 0xffffffffu)));
        store<std::uint32_t>(out, e + 12, static_cast<std::uint32_t>(name_at));
        std::memcpy(out.data() + strings + name_at, symbols[i].name.data(), symbols[i].name.size());
        name_at += symbols[i].name.size() + 1;
    }
    return out;
}

} // namespace os::kernel
