// Allocates and frees more than 100 MB through malloc (musl's allocator over the
// kernel's brk/mmap) in varied sizes, checks every byte it wrote, and checks
// that the kernel gets its pages back: free memory returns to the baseline.
#include <os>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr std::size_t max_blocks = 40000;
struct Block {
    std::uint64_t* data;
    std::size_t words;
    std::uint64_t seed;
};
Block blocks[max_blocks];
std::size_t block_count = 0;
int failures = 0;

std::uint64_t rng = 0x243f6a8885a308d3ull;
std::uint64_t next() {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

// Mostly small, some medium, a few large (musl mmaps those individually).
std::size_t random_size() {
    const std::uint64_t r = next() % 100;
    if (r < 60) return 8 + next() % 504;
    if (r < 90) return 512 + next() % (64 * 1024);
    return 128 * 1024 + next() % (2 * 1024 * 1024);
}

std::uint64_t pattern(std::uint64_t seed, std::size_t i) {
    return (seed + i) * 0x9e3779b97f4a7c15ull;
}

bool allocate(std::size_t bytes) {
    if (block_count == max_blocks) return false;
    const std::size_t words = (bytes + 7) / 8;
    auto* p = static_cast<std::uint64_t*>(std::malloc(words * 8));
    if (p == nullptr) {
        std::printf("FAIL: malloc(%zu) returned null\n", words * 8);
        ++failures;
        return false;
    }
    const std::uint64_t seed = next();
    for (std::size_t i = 0; i < words; ++i)
        p[i] = pattern(seed, i);
    blocks[block_count++] = Block{p, words, seed};
    return true;
}

std::size_t live_bytes() {
    std::size_t total = 0;
    for (std::size_t i = 0; i < block_count; ++i)
        total += blocks[i].words * 8;
    return total;
}

void verify(const char* phase) {
    for (std::size_t b = 0; b < block_count; ++b) {
        for (std::size_t i = 0; i < blocks[b].words; ++i) {
            if (blocks[b].data[i] != pattern(blocks[b].seed, i)) {
                std::printf("FAIL: %s: block %zu word %zu corrupted\n", phase, b, i);
                ++failures;
                return;
            }
        }
    }
}

void check_not_null(const void* p, const char* what) {
    if (p == nullptr) {
        std::printf("FAIL: %s returned null\n", what);
        ++failures;
    }
}

void free_block(std::size_t b) {
    std::free(blocks[b].data);
    blocks[b] = blocks[--block_count];
}

} // namespace

int main() {
    // Warm up musl's allocator so its own bookkeeping is in the baseline.
    for (int i = 0; i < 64; ++i)
        allocate(random_size());
    while (block_count > 0)
        free_block(0);
    const auto baseline = os::memory::stats();
    std::printf("heap: baseline free %zu KiB of %zu KiB\n", baseline.free_bytes / 1024,
                baseline.ram_bytes / 1024);

    std::size_t allocated = 0, freed = 0;
    for (int round = 0; round < 2; ++round) {
        // Fill to 100 MB live.
        while (live_bytes() < 100u * 1024 * 1024) {
            const std::size_t n = random_size();
            if (!allocate(n)) break;
            allocated += n;
        }
        const auto full = os::memory::stats();
        std::printf("heap: round %d: %zu blocks, %zu KiB live, kernel heap %zu KiB\n", round, block_count,
                    live_bytes() / 1024, full.heap_bytes / 1024);
        verify("after filling");
        // Free every other block, refill with other sizes (fragmentation).
        for (std::size_t b = 0; b < block_count; b += 2) {
            freed += blocks[b].words * 8;
            free_block(b);
        }
        verify("after freeing half");
        while (live_bytes() < 100u * 1024 * 1024) {
            const std::size_t n = random_size();
            if (!allocate(n)) break;
            allocated += n;
        }
        verify("after refilling");
        // realloc keeps contents; calloc is zeroed.
        auto* r = static_cast<unsigned char*>(std::malloc(100));
        std::memset(r, 0xab, 100);
        r = static_cast<unsigned char*>(std::realloc(r, 300000));
        for (int i = 0; r != nullptr && i < 100; ++i) {
            if (r[i] != 0xab) {
                std::printf("FAIL: realloc lost data\n");
                ++failures;
                break;
            }
        }
        check_not_null(r, "realloc");
        std::free(r);
        auto* z = static_cast<unsigned char*>(std::calloc(1, 1 << 20));
        for (int i = 0; z != nullptr && i < (1 << 20); i += 4093) {
            if (z[i] != 0) {
                std::printf("FAIL: calloc memory not zero\n");
                ++failures;
                break;
            }
        }
        check_not_null(z, "calloc");
        std::free(z);
        while (block_count > 0) {
            freed += blocks[block_count - 1].words * 8;
            free_block(block_count - 1);
        }
    }
    const auto after = os::memory::stats();
    const long leaked = static_cast<long>(baseline.free_bytes) - static_cast<long>(after.free_bytes);
    std::printf("heap: allocated %zu MiB, freed %zu MiB in varied sizes\n", allocated >> 20, freed >> 20);
    std::printf("heap: free after %zu KiB (baseline %zu KiB, difference %ld KiB)\n", after.free_bytes / 1024,
                baseline.free_bytes / 1024, leaked / 1024);
    // musl keeps a little bookkeeping and may cache a few small groups.
    if (leaked > 512 * 1024) {
        std::printf("FAIL: %ld KiB not returned to the kernel\n", leaked / 1024);
        ++failures;
    }
    if (allocated < 100u * 1024 * 1024) {
        std::printf("FAIL: only %zu bytes allocated\n", allocated);
        ++failures;
    }
    if (failures != 0) return 1;
    std::printf("heap ok\n");
    return 0;
}
