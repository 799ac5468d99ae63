// Whole-system services: shutdown, the command line, the platform.
#pragma once

#include <halite/os/cmdline.hpp>

#include <string_view>

namespace os {

// Flushes stdio, runs atexit handlers and stops the machine with `code`:
// isa-debug-exit when present (QEMU exits with (code << 1) | 1), otherwise ACPI
// power-off, otherwise a triple fault; exit(code) on linux. Codes 0-127.
[[noreturn]] void shutdown(int code);

// Exit code of a panic (CPU exception, abort, failed kernel check): EX_SOFTWARE.
inline constexpr int panic_exit_code = 70;

// The kernel command line (argv on linux), parsed.
const Cmdline& cmdline();

// "microvm", "pc" or "linux".
std::string_view platform();

// Stops with a panic report (message, registers where known, backtrace).
[[noreturn]] void panic(const char* message);

} // namespace os
