// The console UART: a 16550 at COM1 (0x3f8), polled. Output only; QEMU's
// -nographic / -serial stdio shows it.
#pragma once

#include <string_view>

namespace os::drivers::uart16550 {

void init();
// Writes `text`, turning "\n" into "\r\n" for terminals.
void write(std::string_view text);

} // namespace os::drivers::uart16550
