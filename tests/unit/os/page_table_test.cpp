#include "arch/x86_64/page_table.hpp"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <memory>

namespace {

using namespace os::arch;

// Physical memory as a map of table pages.
class FakeMemory final : public PageTables::Memory {
public:
    std::uint64_t* table(std::uint64_t physical) override {
        auto it = pages_.find(physical);
        if (it == pages_.end()) ADD_FAILURE() << "not a table page: " << physical;
        return it->second->data();
    }
    std::optional<std::uint64_t> allocate_table() override {
        if (limit == 0) return std::nullopt;
        --limit;
        const std::uint64_t p = next_;
        next_ += 0x1000;
        pages_[p] = std::make_unique<std::array<std::uint64_t, 512>>();
        return p;
    }
    std::size_t limit = 1000;

private:
    std::uint64_t next_ = 0x100000;
    std::map<std::uint64_t, std::unique_ptr<std::array<std::uint64_t, 512>>> pages_;
};

TEST(PageTables, LeafEntriesEncodeWxorX) {
    EXPECT_EQ(leaf_entry(0x5000, Access::none, Caching::normal), 0u);
    EXPECT_EQ(leaf_entry(0x5000, Access::read, Caching::normal), 0x5000 | pte::present | pte::no_execute);
    EXPECT_EQ(leaf_entry(0x5000, Access::read_write, Caching::normal),
              0x5000 | pte::present | pte::writable | pte::no_execute);
    EXPECT_EQ(leaf_entry(0x5000, Access::read_execute, Caching::normal), 0x5000 | pte::present);
    EXPECT_EQ(leaf_entry(0x5fff, Access::read_write, Caching::uncached) &
                  (pte::cache_disable | pte::write_through | pte::address_mask),
              0x5000 | pte::cache_disable | pte::write_through);
}

TEST(PageTables, MapLookupUnmap) {
    FakeMemory memory;
    const auto root = memory.allocate_table();
    PageTables t(memory, *root);
    EXPECT_EQ(t.entry(0x200000), 0u);
    EXPECT_TRUE(t.map(0x200000, 0x200000, Access::read_execute));
    EXPECT_EQ(t.table_pages(), 4u); // PML4, PDPT, PD, PT
    EXPECT_EQ(t.entry(0x200000), 0x200000 | pte::present);
    EXPECT_TRUE(t.map(0x201000, 0x9000, Access::read_write));
    EXPECT_EQ(t.table_pages(), 4u); // same table
    EXPECT_EQ(t.entry(0x201000) & pte::address_mask, 0x9000u);
    // Far away: a new PDPT entry, PD and PT (PML4 index 1).
    EXPECT_TRUE(t.map(0x8000000000, 0x8000000000, Access::read_write, Caching::uncached));
    EXPECT_EQ(t.table_pages(), 7u);
    EXPECT_TRUE(t.unmap(0x200000));
    EXPECT_EQ(t.entry(0x200000), 0u);
    EXPECT_FALSE(t.unmap(0x40000000000)); // nothing there
}

TEST(PageTables, ReserveCreatesTablesSoMapNeverAllocates) {
    FakeMemory memory;
    PageTables t(memory, *memory.allocate_table());
    ASSERT_TRUE(t.reserve_tables(0x100000, 0x1000000)); // 1 MiB .. 17 MiB: 9 PTs
    EXPECT_EQ(t.table_pages(), 3u + 9u);
    memory.limit = 0;
    for (std::uint64_t a = 0x100000; a < 0x1100000; a += 0x1000)
        ASSERT_TRUE(t.map(a, a, Access::read_write));
    EXPECT_FALSE(t.map(0x2000000, 0x2000000, Access::read)); // would need a table
}

TEST(PageTables, OutOfTablePagesFails) {
    FakeMemory memory;
    PageTables t(memory, *memory.allocate_table());
    memory.limit = 2;
    EXPECT_FALSE(t.map(0x1000, 0x1000, Access::read));
}

} // namespace
