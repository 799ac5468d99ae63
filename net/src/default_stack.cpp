// The default stack of the host library (unit tests, fuzzing): only what set_default_stack() installed. The
// platform builds use net/platform/default_stack.cpp instead, which creates one over the machine's NICs.
#include "net/stack.hpp"

namespace net {

namespace {
Stack* g_default_stack = nullptr;
} // namespace

void set_default_stack(Stack* stack) {
    g_default_stack = stack;
}
Stack* default_stack() {
    return g_default_stack;
}
InterfaceList interfaces() {
    return g_default_stack != nullptr ? g_default_stack->interfaces() : InterfaceList{};
}
void forget_default_stack(const Stack* stack) {
    if (g_default_stack == stack) g_default_stack = nullptr;
}

} // namespace net
