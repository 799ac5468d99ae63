// The linux platform: the os API as an ordinary process. main() is the
// application's; the link option --wrap=main (set by halite_os_linux) routes the
// C runtime's call through __wrap_main below, which parses the command line,
// calls it and then runs the event loop, as the image does.
#include "kernel/event_loop.hpp"

#include <halite/os/clock.hpp>
#include <halite/os/cmdline.hpp>
#include <halite/os/console.hpp>
#include <halite/os/linux.hpp>
#include <halite/os/system.hpp>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <execinfo.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <unordered_map>

extern "C" int __real_main(int argc, char** argv, char** envp);
extern "C" int __wrap_main(int argc, char** argv, char** envp);

namespace os::linux_platform {

namespace {

std::int64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// The process's time zero, set before the application's constructors run
// (Process below), since they may read the clock.
std::int64_t start_ns = 0;
std::int64_t main_ns = 0;

class EpollPlatform final : public events::Loop::Platform {
public:
    EpollPlatform();
    ~EpollPlatform() override;

    os::clock::time_point now() override { return os::clock::now(); }
    std::size_t dispatch() override;
    void wait(std::optional<os::clock::time_point> deadline) override;
    void wake() noexcept override;
    bool has_event_sources() override { return !watched_.empty(); }

    Result<void> watch(int fd, std::uint32_t events, std::function<void(std::uint32_t)> callback);
    void unwatch(int fd);

private:
    int epoll_ = -1;
    int wake_fd_ = -1; // eventfd: wake() is async-signal-safe
    int timer_fd_ = -1;
    std::unordered_map<int, std::function<void(std::uint32_t)>> watched_;
};

EpollPlatform::EpollPlatform() {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (epoll_ < 0 || wake_fd_ < 0 || timer_fd_ < 0) os::panic("cannot create the event loop's descriptors");
    for (int fd : {wake_fd_, timer_fd_}) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
    }
}

EpollPlatform::~EpollPlatform() {
    close(timer_fd_);
    close(wake_fd_);
    close(epoll_);
}

std::size_t EpollPlatform::dispatch() {
    epoll_event events[64];
    const int n = epoll_wait(epoll_, events, 64, 0);
    std::size_t ran = 0;
    for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == wake_fd_ || fd == timer_fd_) {
            std::uint64_t drain;
            [[maybe_unused]] auto r = read(fd, &drain, sizeof drain);
            continue;
        }
        auto it = watched_.find(fd);
        if (it == watched_.end()) continue;
        auto callback = it->second; // the callback may unwatch its own fd
        callback(events[i].events);
        ++ran;
    }
    return ran;
}

void EpollPlatform::wait(std::optional<os::clock::time_point> deadline) {
    itimerspec spec{};
    if (deadline) {
        const std::int64_t at = start_ns + deadline->time_since_epoch().count();
        spec.it_value.tv_sec = at / 1'000'000'000;
        spec.it_value.tv_nsec = at % 1'000'000'000;
        if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1;
    }
    timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr); // all zero disarms
    epoll_event ev;
    while (epoll_wait(epoll_, &ev, 1, -1) < 0 && errno == EINTR) {
    }
}

void EpollPlatform::wake() noexcept {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto r = write(wake_fd_, &one, sizeof one);
}

Result<void> EpollPlatform::watch(int fd, std::uint32_t events, std::function<void(std::uint32_t)> callback) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    const int op = watched_.count(fd) != 0 ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(epoll_, op, fd, &ev) != 0) return Error{Errc::invalid_argument, "epoll_ctl failed"};
    watched_[fd] = std::move(callback);
    return {};
}

void EpollPlatform::unwatch(int fd) {
    if (watched_.erase(fd) != 0) epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
}

struct Process {
    Process() {
        start_ns = monotonic_ns();
        events::Loop::set_current(&loop);
    }
    ~Process() { events::Loop::set_current(nullptr); }
    EpollPlatform platform;
    events::Loop loop{platform};
    Cmdline cmdline;
};

// Before the application's global constructors (priority 101 runs first), so
// they may set timers or create work items, as on the image.
[[gnu::init_priority(101)]] Process process;

Process& get() {
    return process;
}

} // namespace

} // namespace os::linux_platform

int __wrap_main(int argc, char** argv, char** envp) {
    using namespace os::linux_platform;
    std::string line;
    for (int i = 1; i < argc; ++i) {
        // Re-quote so the parser yields argv back, blanks and all.
        if (i > 1) line += ' ';
        line += '"';
        line += argv[i];
        line += '"';
    }
    process.cmdline = os::Cmdline::parse(line);
    // musl's stdout is line buffered on a terminal only; match the image when piped.
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    main_ns = monotonic_ns();
    const int result = __real_main(argc, argv, envp);
    if (result != 0) return result;
    return process.loop.run();
}

namespace os {

using linux_platform::get;

clock::time_point clock::now() noexcept {
    return time_point(duration(linux_platform::monotonic_ns() - linux_platform::start_ns));
}

std::optional<wall_time_point> wall_time() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return wall_time_point(std::chrono::nanoseconds(std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec));
}

clock::duration boot_duration() noexcept {
    return clock::duration(linux_platform::main_ns - linux_platform::start_ns);
}

std::uint64_t tsc_hz() noexcept {
    return 0;
}

void shutdown(int code) {
    std::exit(code);
}

const Cmdline& cmdline() {
    return get().cmdline;
}

std::string_view platform() {
    return "linux";
}

void panic(const char* message) {
    std::fflush(stdout);
    std::fprintf(stderr, "\n*** PANIC: %s\nbacktrace:\n", message);
    void* frames[32];
    const int n = backtrace(frames, 32);
    backtrace_symbols_fd(frames, n, 2);
    std::fprintf(stderr, "halite: panic, stopping with exit code %d\n", panic_exit_code);
    std::_Exit(panic_exit_code);
}

void print(std::string_view text) {
    std::fflush(stdout);
    [[maybe_unused]] auto r = ::write(1, text.data(), text.size());
}

void println(std::string_view text) {
    print(text);
    print("\n");
}

void printf(const char* format, ...) {
    std::fflush(stdout);
    std::va_list args;
    va_start(args, format);
    std::vprintf(format, args);
    va_end(args);
    std::fflush(stdout);
}

namespace linux_process {

Result<void> watch_fd(int fd, std::uint32_t events, std::function<void(std::uint32_t)> callback) {
    return get().platform.watch(fd, events, std::move(callback));
}

void unwatch_fd(int fd) {
    get().platform.unwatch(fd);
}

} // namespace linux_process

} // namespace os
