// Console output: COM1 on an image, stdout on linux. printf() and std::puts()
// work too (musl stdout is line buffered); these helpers flush stdio first so
// output stays in order.
#pragma once

#include <string_view>

namespace os {

void print(std::string_view text);
void println(std::string_view text);
[[gnu::format(printf, 1, 2)]] void printf(const char* format, ...);

} // namespace os
