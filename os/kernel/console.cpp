// Console output on the image: COM1. os::print flushes stdio first so text
// written with printf and with os::print comes out in program order.
#include "kernel.hpp"

#include "drivers/serial/uart16550.hpp"

#include <halite/os/console.hpp>

#include <cstdarg>
#include <cstdio>

namespace os::kernel {

void console_write(std::string_view text) {
    drivers::uart16550::write(text);
}

} // namespace os::kernel

namespace os {

void print(std::string_view text) {
    std::fflush(stdout);
    kernel::console_write(text);
}

void println(std::string_view text) {
    print(text);
    kernel::console_write("\n");
}

void printf(const char* format, ...) {
    char buffer[1024];
    std::va_list args;
    va_start(args, format);
    const int n = std::vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    if (n < 0) return;
    print(std::string_view(buffer, static_cast<std::size_t>(n) < sizeof buffer ? static_cast<std::size_t>(n)
                                                                               : sizeof buffer - 1));
}

} // namespace os
