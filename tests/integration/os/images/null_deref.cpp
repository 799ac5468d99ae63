// Dereferences null in a named function: the panic report must show the page
// fault, CR2 = 0, the faulting function by name in RIP and in the backtrace,
// and the machine must stop with the panic exit code.
#include <os>

#include <cstdio>

namespace {

// Not inlined, and the pointer laundered through asm, so the compiler can
// neither see the null nor turn the store into a trap instruction.
[[gnu::noinline]] void write_through_null_pointer(int value) {
    int* pointer = nullptr;
    asm volatile("" : "+r"(pointer));
    *pointer = value;
    asm volatile("" ::: "memory");
}

[[gnu::noinline]] void caller_of_the_crash() {
    write_through_null_pointer(42);
    asm volatile("" ::: "memory"); // keeps the call a call, not a tail jump
}

} // namespace

int main() {
    std::printf("about to dereference null\n");
    caller_of_the_crash();
    std::printf("still alive: the null dereference did not fault\n");
    return 1;
}
