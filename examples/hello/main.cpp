// The smallest Halite application: boot, say so, wait 50 ms on a timer, stop.
// Builds as a boot image (build/images/hello.elf) and as a Linux program
// (build/bin/hello-linux) from this one source.
#include <os>

#include <cstdio>

using namespace std::chrono_literals;

int main() {
    const auto boot = std::chrono::duration<double, std::milli>(os::boot_duration()).count();
    std::printf("Halite booted in %.3f ms on %s\n", boot, std::string(os::platform()).c_str());
    const auto start = os::clock::now();
    os::timers::oneshot(50ms, [start] {
        const auto waited = std::chrono::duration<double, std::milli>(os::clock::now() - start).count();
        std::printf("timer fired after %.3f ms\n", waited);
        os::shutdown(0);
    });
    return 0;
}
