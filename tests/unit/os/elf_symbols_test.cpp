#include "tools/symtab/elf_symbols.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

// A function with a known name to find in this test's own ELF file.
extern "C" [[gnu::noinline]] int halite_symtab_test_marker(int x) {
    return x * 3 + 1;
}

namespace {

std::vector<std::byte> read_self() {
    std::ifstream in("/proc/self/exe", std::ios::binary);
    std::vector<char> chars{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::vector<std::byte> bytes(chars.size());
    for (std::size_t i = 0; i < chars.size(); ++i)
        bytes[i] = static_cast<std::byte>(chars[i]);
    return bytes;
}

TEST(ElfSymbols, FindsFunctionsOfARealElfDemangled) {
    const auto result = os::tools::elf_functions(read_self());
    ASSERT_TRUE(std::holds_alternative<std::vector<os::kernel::SymbolInput>>(result));
    const auto& functions = std::get<std::vector<os::kernel::SymbolInput>>(result);
    bool marker = false, demangled = false;
    for (const auto& f : functions) {
        if (f.name == "halite_symtab_test_marker") marker = f.size > 0;
        if (f.name.find("read_self()") != std::string::npos) demangled = true;
    }
    EXPECT_TRUE(marker);
    EXPECT_TRUE(demangled);
    EXPECT_EQ(halite_symtab_test_marker(1), 4);
}

TEST(ElfSymbols, RejectsNonElf) {
    std::vector<std::byte> junk(100, std::byte{1});
    EXPECT_TRUE(std::holds_alternative<std::string>(os::tools::elf_functions(junk)));
    EXPECT_TRUE(std::holds_alternative<std::string>(os::tools::elf_functions({})));
    auto self = read_self();
    self.resize(70); // header only: section table outside the file
    EXPECT_TRUE(std::holds_alternative<std::string>(os::tools::elf_functions(self)));
}

} // namespace
