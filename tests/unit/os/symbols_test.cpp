#include "kernel/symbols.hpp"

#include <gtest/gtest.h>

namespace {

using namespace os::kernel;

TEST(SymbolTable, EncodeLookup) {
    const auto bytes = encode_symbol_table({{"main", 0x2000, 0x40},
                                            {"crash()", 0x1000, 0x10},
                                            {"alias", 0x1000, 0x10}, // same address: first kept
                                            {"label", 0x3000, 0}});
    const auto t = SymbolTable::parse(bytes);
    ASSERT_TRUE(t);
    ASSERT_EQ(t->size(), 3u);
    EXPECT_EQ(t->at(0).name, "crash()");
    EXPECT_FALSE(t->lookup(0xfff));
    EXPECT_EQ(t->lookup(0x1000)->name, "crash()");
    EXPECT_EQ(t->lookup(0x100f)->name, "crash()");
    EXPECT_FALSE(t->lookup(0x1010)); // past its size, before main
    EXPECT_EQ(t->lookup(0x203f)->name, "main");
    EXPECT_EQ(t->lookup(0x203f)->address, 0x2000u);
    EXPECT_EQ(t->lookup(0x9999)->name, "label"); // size 0: nearest wins
}

TEST(SymbolTable, EmptyIsValid) {
    const auto t = SymbolTable::parse({});
    ASSERT_TRUE(t);
    EXPECT_EQ(t->size(), 0u);
    EXPECT_FALSE(t->lookup(0x1000));
    const auto encoded = encode_symbol_table({});
    EXPECT_EQ(SymbolTable::parse(encoded)->size(), 0u);
}

TEST(SymbolTable, RejectsCorruptTables) {
    auto bytes = encode_symbol_table({{"f", 0x10, 1}, {"g", 0x20, 1}});
    auto broken = bytes;
    broken[0] = std::byte{0};
    EXPECT_FALSE(SymbolTable::parse(broken)); // magic
    broken = bytes;
    broken[4] = std::byte{200};
    EXPECT_FALSE(SymbolTable::parse(broken)); // count beyond the entries
    broken = bytes;
    broken.back() = std::byte{'x'};
    EXPECT_FALSE(SymbolTable::parse(broken)); // names not terminated
    broken = bytes;
    broken[16 + 12] = std::byte{0xff};
    EXPECT_FALSE(SymbolTable::parse(broken)); // name offset outside
    EXPECT_FALSE(SymbolTable::parse(std::span<const std::byte>(bytes).first(10)));
}

} // namespace
