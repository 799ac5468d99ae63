// appliance::run: what a compiled configuration's main() calls. The platform's default stack exists once
// net::default_stack() has been asked for it (on an image or linux program it is created over the NICs
// then); the appliance lives until the program ends.
#include "appliance/appliance.hpp"

namespace appliance {

namespace {
std::unique_ptr<Appliance> g_current;
} // namespace

int run(const Config& config) {
    Platform& p = platform();
    net::Stack* stack = net::default_stack();
    if (stack == nullptr) {
        p.print("appliance: this platform has no network stack\n");
        return 1;
    }
    g_current.reset();
    g_current = Appliance::create(config, *stack, p);
    if (!g_current) {
        p.print("appliance: the configuration cannot run here (see above)\n");
        return 1;
    }
    return 0;
}

Appliance* current() {
    return g_current.get();
}

void stop() {
    g_current.reset();
}

} // namespace appliance
