#include "elf_symbols.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <cxxabi.h>
#include <memory>

namespace os::tools {

namespace {

constexpr std::uint32_t sht_symtab = 2;
constexpr unsigned stt_func = 2;
constexpr std::size_t ehdr_size = 64;
constexpr std::size_t shdr_size = 64;
constexpr std::size_t sym_size = 24;

// Little-endian field reads, bounds-checked by the callers.
template <class T>
T field(std::span<const std::byte> b, std::size_t at) {
    T v;
    std::memcpy(&v, b.data() + at, sizeof v);
    return v;
}

struct Section {
    std::uint32_t type;
    std::uint64_t offset;
    std::uint64_t size;
    std::uint32_t link;
};

std::string demangle(const char* name) {
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> out(abi::__cxa_demangle(name, nullptr, nullptr, &status),
                                                    &std::free);
    return status == 0 && out ? std::string(out.get()) : std::string(name);
}

} // namespace

std::variant<std::vector<os::kernel::SymbolInput>, std::string>
elf_functions(std::span<const std::byte> file) {
    if (file.size() < ehdr_size || std::memcmp(file.data(),
                                               "\x7f"
                                               "ELF",
                                               4) != 0)
        return std::string("not an ELF file");
    if (field<std::uint8_t>(file, 4) != 2 || field<std::uint8_t>(file, 5) != 1)
        return std::string("not a little-endian ELF64 file");
    const auto shoff = field<std::uint64_t>(file, 0x28);
    const auto shentsize = field<std::uint16_t>(file, 0x3a);
    const auto shnum = field<std::uint16_t>(file, 0x3c);
    if (shentsize != shdr_size || shoff > file.size() || shnum > (file.size() - shoff) / shdr_size)
        return std::string("bad section header table");

    std::vector<Section> sections;
    for (std::size_t i = 0; i < shnum; ++i) {
        const std::size_t at = shoff + i * shdr_size;
        Section s{field<std::uint32_t>(file, at + 4), field<std::uint64_t>(file, at + 0x18),
                  field<std::uint64_t>(file, at + 0x20), field<std::uint32_t>(file, at + 0x28)};
        if (s.type != 8 /* SHT_NOBITS */ && (s.offset > file.size() || s.size > file.size() - s.offset))
            return std::string("section outside the file");
        sections.push_back(s);
    }

    std::vector<os::kernel::SymbolInput> out;
    for (const auto& symtab : sections) {
        if (symtab.type != sht_symtab) continue;
        if (symtab.link >= sections.size()) return std::string("symbol table without string table");
        const Section& strtab = sections[symtab.link];
        const auto strings = file.subspan(strtab.offset, strtab.size);
        for (std::uint64_t at = 0; at + sym_size <= symtab.size; at += sym_size) {
            const std::size_t s = symtab.offset + at;
            const auto name_offset = field<std::uint32_t>(file, s);
            const auto info = field<std::uint8_t>(file, s + 4);
            const auto shndx = field<std::uint16_t>(file, s + 6);
            const auto value = field<std::uint64_t>(file, s + 8);
            const auto size = field<std::uint64_t>(file, s + 16);
            if ((info & 0xf) != stt_func || shndx == 0 || name_offset >= strings.size()) continue;
            const auto* begin = strings.data() + name_offset;
            const auto* end =
                static_cast<const std::byte*>(std::memchr(begin, 0, strings.size() - name_offset));
            if (end == nullptr) continue;
            std::string name(static_cast<std::size_t>(end - begin), '\0');
            std::memcpy(name.data(), begin, name.size());
            out.push_back(os::kernel::SymbolInput{demangle(name.c_str()), value, size});
        }
    }
    return out;
}

} // namespace os::tools
