// What a platform provides to the portable os code, for host tests.
#include <halite/os/system.hpp>

#include <cstdio>
#include <cstdlib>

namespace os {

void panic(const char* message) {
    std::fprintf(stderr, "os::panic: %s\n", message);
    std::abort();
}

} // namespace os
