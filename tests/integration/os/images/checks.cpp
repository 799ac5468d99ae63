// One image, many checks: the command line picks one (`check=<name>`). Checks
// that should end in a panic (W^X, guard pages, ...) do something forbidden;
// the others print "<name> ok" and stop with 0, or "FAIL: ..." and stop with 1.
#include <os>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <sys/mman.h>
#include <unordered_map>
#include <vector>

using namespace std::chrono_literals;

namespace {

int failures = 0;

void check(bool ok, const char* what) {
    if (!ok) {
        std::printf("FAIL: %s\n", what);
        ++failures;
    }
}

// --- global constructors, thread_local, static locals -----------------------------------------

int constructed_by_global = 0;
bool cmdline_in_constructor = false;
bool timer_from_constructor_fired = false;
struct Global {
    Global() {
        constructed_by_global = 42;
        // The os API works in global constructors: the loop exists, and the
        // command line is parsed on first use.
        cmdline_in_constructor = os::cmdline().has("check");
        os::timers::oneshot(1ms, [] { timer_from_constructor_fired = true; });
    }
} global;

thread_local int tls_counter = 7;
thread_local std::vector<int> tls_vector{1, 2, 3}; // dynamic initialisation

int& static_local() {
    static int value = constructed_by_global + 1;
    return value;
}

std::int64_t ns(const timespec& t) {
    return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

int runtime(int argc, char** argv) {
    check(constructed_by_global == 42, "global constructor ran");
    check(static_local() == 43, "static local initialised");
    check(tls_counter == 7, "thread_local initial value");
    tls_counter += 5;
    check(tls_counter == 12, "thread_local written");
    check(tls_vector.size() == 3 && tls_vector[2] == 3, "thread_local with a constructor");

    timespec a{}, b{}, wall{};
    check(clock_gettime(CLOCK_MONOTONIC, &a) == 0, "clock_gettime(CLOCK_MONOTONIC)");
    const auto until = os::clock::now() + 2ms;
    while (os::clock::now() < until) {
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    check(ns(b) - ns(a) >= 2'000'000, "CLOCK_MONOTONIC advances with os::clock");
    check(ns(b) - ns(a) < 1'000'000'000, "CLOCK_MONOTONIC advances sanely");
    check(clock_gettime(CLOCK_REALTIME, &wall) == 0 && wall.tv_sec > 1'600'000'000,
          "CLOCK_REALTIME from the RTC");
    check(os::wall_time().has_value(), "os::wall_time");
    check(std::time(nullptr) > 1'600'000'000, "time()");

    char text[64];
    std::snprintf(text, sizeof text, "%s %d %.2f %x", "snprintf", -5, 2.5, 255u);
    check(std::strcmp(text, "snprintf -5 2.50 ff") == 0, "snprintf");

    // libc++ pieces that live in its shared library, provided by the kernel.
    std::unordered_map<std::string, int> map;
    for (int i = 0; i < 100; ++i)
        map[std::to_string(i)] = i;
    check(map.size() == 100 && map["42"] == 42, "unordered_map and to_string");
    auto shared = std::make_shared<std::string>("shared");
    std::weak_ptr<std::string> weak = shared;
    check(weak.lock() && *weak.lock() == "shared", "shared_ptr/weak_ptr");
    shared.reset();
    check(weak.expired(), "weak_ptr expires");
    struct alignas(64) Aligned {
        char bytes[64];
    };
    auto aligned = std::make_unique<Aligned>();
    check(reinterpret_cast<std::uintptr_t>(aligned.get()) % 64 == 0, "aligned operator new");
    std::vector<int> v{5, 3, 9, 1};
    std::sort(v.begin(), v.end());
    std::function<int()> f = [&] { return v.front() + v.back(); };
    check(f() == 10, "std::function and sort");

    // The command line: quoted values survive, main() sees the tokens.
    check(os::cmdline().get("msg") == std::string_view("hello world"), "quoted command-line value");
    bool in_argv = false;
    for (int i = 0; i < argc; ++i)
        in_argv |= std::strcmp(argv[i], "msg=hello world") == 0;
    check(in_argv, "argv carries the command line");
    check(std::strcmp(argv[0], "halite") == 0, "argv[0]");

    const auto s = os::memory::stats();
    check(s.ram_bytes > 0 && s.free_bytes > 0 && s.heap_bytes > 0, "memory statistics");
    int local = 0;
    check(os::memory::virt_to_phys(&local).value() == reinterpret_cast<std::uint64_t>(&local),
          "identity mapping");
    auto pages = os::memory::alloc_pages(3 * 4096);
    check(pages.ok() && reinterpret_cast<std::uintptr_t>(*pages) % 4096 == 0, "alloc_pages");
    if (pages) os::memory::free_pages(*pages, 3 * 4096);
    // W^X holds for the heap too: no executable mappings.
    check(mmap(nullptr, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
              MAP_FAILED,
          "executable mmap refused");
    check(!os::memory::map_mmio(0x200000, 4096).ok(), "map_mmio refuses RAM");
    std::printf("runtime: tsc %llu kHz, boot %lld us, wall %lld\n",
                static_cast<unsigned long long>(os::tsc_hz() / 1000),
                static_cast<long long>(os::boot_duration().count() / 1000),
                static_cast<long long>(wall.tv_sec));
    check(cmdline_in_constructor, "os::cmdline() in a global constructor");
    os::timers::oneshot(5ms, [] {
        check(timer_from_constructor_fired, "a timer set by a global constructor fired");
        if (failures) os::shutdown(1);
        std::printf("runtime ok\n");
        os::shutdown(0);
    });
    return failures ? 1 : 0;
}

// --- timers and the event loop ------------------------------------------------------------------

struct Fired {
    char name;
    os::clock::duration at;
    os::clock::duration due;
};
std::vector<Fired> fired;
os::clock::time_point start;

void record(char name, os::clock::duration due) {
    fired.push_back({name, os::clock::now() - start, due});
}

int timers() {
    start = os::clock::now();
    // One-shots out of order, one tie, one stopped; a periodic stopping itself.
    os::timers::oneshot(90ms, [] { record('d', 90ms); });
    os::timers::oneshot(10ms, [] { record('a', 10ms); });
    os::timers::oneshot(50ms, [] { record('b', 50ms); });
    os::timers::oneshot(50ms, [] { record('c', 50ms); });
    const auto doomed = os::timers::oneshot(60ms, [] { record('X', 60ms); });
    os::timers::oneshot(30ms, [doomed] { check(os::timers::stop(doomed), "stop a pending timer"); });
    static int ticks = 0;
    static os::timers::Id periodic{};
    periodic = os::timers::periodic(40ms, [] {
        ++ticks;
        record(static_cast<char>('0' + ticks), ticks * 40ms);
        if (ticks == 3) check(os::timers::stop(periodic), "a periodic timer stops itself");
    });
    os::timers::oneshot(300ms, [] {
        std::string order;
        for (const auto& f : fired) {
            order += f.name;
            if (f.at < f.due)
                std::printf("FAIL: timer %c fired early: %lld us < %lld us\n", f.name,
                            static_cast<long long>(f.at.count() / 1000),
                            static_cast<long long>(f.due.count() / 1000)),
                    ++failures;
        }
        std::string one_shots;
        for (char c : order) {
            if (c >= 'a' && c <= 'z') one_shots += c;
        }
        std::printf("timers: fired in order %s\n", order.c_str());
        check(one_shots == "abcd", "one-shot timers in deadline order, ties in set order");
        check(order.find('X') == std::string::npos, "a stopped timer does not fire");
        check(ticks == 3, "periodic timer ran 3 times");
        check(os::timers::active() == 0, "no timers left");
        // Tickless: the LAPIC timer fires only for deadlines, not periodically.
        const auto lapic_interrupts = os::irq::count(0x20);
        const auto stats = os::events::stats();
        std::printf("timers: %llu loop iterations, %llu idle waits, %llu timer interrupts in %lld ms\n",
                    static_cast<unsigned long long>(stats.iterations),
                    static_cast<unsigned long long>(stats.idle_waits),
                    static_cast<unsigned long long>(lapic_interrupts),
                    static_cast<long long>((os::clock::now() - start).count() / 1'000'000));
        check(lapic_interrupts <= 20, "tickless: few timer interrupts");
        check(stats.idle_waits <= 20, "the loop halts between deadlines");
        os::shutdown(failures ? 1 : 0);
    });
    std::printf("timers: set\n");
    return 0;
}

// Work items and pollers.
int events() {
    static int polls = 0, works = 0;
    static os::events::Work work([] { ++works; });
    static os::events::PollerId poller{};
    // A busy poller keeps the loop from halting until it removes itself.
    poller = os::events::add_poller([] {
        if (++polls == 3) {
            os::events::remove_poller(poller);
            work.schedule();
        }
        return true;
    });
    os::events::post([] { std::printf("events: posted callback ran\n"); });
    os::timers::oneshot(20ms, [] {
        check(polls == 3, "poller ran until it removed itself");
        check(works == 1, "scheduled work ran once");
        if (failures) os::shutdown(1);
        std::printf("events ok\n");
        os::shutdown(0);
    });
    return 0;
}

// --- devices ------------------------------------------------------------------------------------

// QEMU's "edu" teaching device (docs/specs/edu.rst): BAR 0 registers, raises
// INTx or MSI on request.
int edu_interrupts = 0;
volatile std::uint32_t* edu = nullptr;

void edu_raise(std::uint32_t bits) {
    edu[0x60 / 4] = bits;
}

void edu_acknowledge() {
    const std::uint32_t status = edu[0x24 / 4];
    edu[0x64 / 4] = status; // lowers a level-triggered INTx
    ++edu_interrupts;
}

void after_msi() {
    check(edu_interrupts == 2, "edu MSI delivered");
    std::printf("devices: edu msi ok\n");
    if (failures) os::shutdown(1);
    std::printf("devices ok\n");
    os::shutdown(0);
}

void try_msi(os::pci::Device& d) {
    auto msi = os::irq::allocate_msi([] { edu_acknowledge(); });
    check(msi.ok(), "allocate an MSI vector");
    if (!msi) return;
    check(d.enable_msi(*msi).ok(), "enable MSI");
    edu_raise(2);
    os::timers::oneshot(50ms, after_msi);
}

int devices() {
    std::printf("devices: platform %s\n", std::string(os::platform()).c_str());
    for (const auto& d : os::pci::devices()) {
        std::printf("devices: pci %02x:%02x.%x %04x:%04x class %02x.%02x irq %u pin %u\n", d.address().bus,
                    d.address().device, d.address().function, d.vendor_id(), d.device_id(), d.class_code(),
                    d.subclass(), d.irq_line(), d.irq_pin());
        for (unsigned i = 0; i < d.bars().size(); ++i) {
            const auto& b = d.bar(i);
            if (b.kind == os::pci::BarKind::none) continue;
            const char* kind = b.kind == os::pci::BarKind::io         ? "io"
                               : b.kind == os::pci::BarKind::memory32 ? "mem32"
                                                                      : "mem64";
            std::printf("devices:   bar %u %s 0x%llx size 0x%llx%s\n", i, kind,
                        static_cast<unsigned long long>(b.address), static_cast<unsigned long long>(b.size),
                        b.prefetchable ? " prefetchable" : "");
        }
        for (const auto& c : d.capabilities())
            std::printf("devices:   capability 0x%02x at 0x%02x\n", c.id, c.offset);
        if (const auto m = d.msix()) {
            std::printf("devices:   msix table %u entries in bar %u at 0x%x\n", m->table_size, m->table_bar,
                        m->table_offset);
        }
    }
    for (const auto& v : os::virtio_mmio::devices()) {
        std::printf("devices: virtio-mmio 0x%llx irq %u (%s) device %u version %u vendor 0x%x\n",
                    static_cast<unsigned long long>(v.spec.base), v.spec.irq,
                    v.line.trigger == os::irq::Trigger::level ? "level" : "edge", v.device_id, v.version,
                    v.vendor_id);
        // The line must be routable (microvm's virtio IRQs are on its second I/O APIC).
        auto sub = os::irq::subscribe(v.line, [] {});
        check(sub.ok(), "subscribe to a virtio-mmio interrupt line");
        if (sub) os::irq::unsubscribe(*sub);
    }
    // virtio-net over PCI: program MSI-X entry 0 (the table is in a BAR).
    for (auto& d : os::pci::devices()) {
        if (d.vendor_id() != 0x1af4 || !d.msix()) continue;
        auto msi = os::irq::allocate_msi([] {});
        check(msi.ok() && d.set_msix_entry(0, *msi).ok(), "program an MSI-X entry");
        check((d.read16(*d.find_capability(os::pci::cap::msix) + 2) & 0x8000) != 0, "MSI-X enabled");
        std::printf("devices: virtio-pci msix entry 0 -> vector 0x%x\n", msi ? msi->vector : 0);
        if (msi) os::irq::free_msi(*msi);
    }
    auto* d = os::pci::find(0x1234, 0x11e8);
    if (d == nullptr) {
        if (failures) return 1;
        std::printf("devices ok\n");
        return 0;
    }
    auto bar = d->map_bar(0);
    check(bar.ok(), "map edu BAR 0");
    if (!bar) return 1;
    edu = static_cast<volatile std::uint32_t*>(*bar);
    d->enable(true, false, true);
    check(edu[0] == 0x010000ed, "edu identification register");
    edu[1] = 0x12345678; // liveness: reads back inverted
    check(edu[1] == ~0x12345678u, "edu liveness register");
    // Legacy INTx through the I/O APIC, level-triggered.
    auto sub =
        os::irq::subscribe(os::irq::Line{d->irq_line(), os::irq::Trigger::level}, [] { edu_acknowledge(); });
    check(sub.ok(), "subscribe to the edu INTx line");
    edu_raise(1);
    os::timers::oneshot(50ms, [d, sub] {
        check(edu_interrupts == 1, "edu INTx delivered once");
        std::printf("devices: edu intx ok (irq %u, %llu interrupts)\n", d->irq_line(),
                    static_cast<unsigned long long>(sub ? os::irq::count(sub->vector) : 0));
        if (sub) os::irq::unsubscribe(*sub);
        try_msi(*d);
    });
    return 0;
}

// --- things that must panic ---------------------------------------------------------------------

[[gnu::noinline]] void write_to_code() {
    auto* code = reinterpret_cast<volatile unsigned char*>(&write_to_code);
    asm volatile("" : "+r"(code));
    *code = 0xc3;
}

const int constant = 5;
[[gnu::noinline]] void write_to_constant() {
    auto* p = const_cast<volatile int*>(&constant);
    asm volatile("" : "+r"(p));
    *p = 6;
}

[[gnu::noinline]] void execute_heap() {
    auto* code = static_cast<unsigned char*>(std::malloc(64));
    code[0] = 0xc3; // ret
    asm volatile("" : "+r"(code));
    reinterpret_cast<void (*)()>(code)();
    asm volatile("" ::: "memory"); // a call, not a tail jump: execute_heap stays on the stack
}

[[gnu::noinline]] int recurse_forever(int depth) {
    volatile char frame[512];
    frame[0] = static_cast<char>(depth);
    if (depth < 0) return 0; // never: keeps the compiler from calling this infinite
    return recurse_forever(depth + 1) + frame[0];
}

[[gnu::noinline]] void use_after_free() {
    auto* big = static_cast<char*>(std::malloc(1 << 20)); // musl maps this on its own
    big[0] = 1;
    std::free(big); // ... and unmaps it: the kernel unmaps the pages
    asm volatile("" : "+r"(big));
    std::printf("use-after-free read %d\n", big[4096]);
}

} // namespace

int main(int argc, char** argv) {
    const auto which = os::cmdline().get("check");
    if (!which) {
        std::printf("usage: check=<name>\n");
        return 2;
    }
    const std::string name(*which);
    std::printf("check %s\n", name.c_str());
    if (name == "runtime") return runtime(argc, argv);
    if (name == "timers") return timers();
    if (name == "events") return events();
    if (name == "devices") return devices();
    if (name == "exit_code") return 3;
    if (name == "shutdown") {
        os::timers::oneshot(1ms, [] { os::shutdown(42); });
        return 0;
    }
    if (name == "idle") return 0; // nothing can wake the loop: exit 0
    if (name == "write_code") write_to_code();
    if (name == "write_rodata") write_to_constant();
    if (name == "execute_heap") execute_heap();
    if (name == "stack_overflow") return recurse_forever(0);
    if (name == "use_after_free") use_after_free();
    if (name == "abort") std::abort();
    if (name == "panic") os::panic("requested by the test");
    std::printf("FAIL: check %s did not stop the machine\n", name.c_str());
    return 1;
}
