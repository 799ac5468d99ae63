// GDT (with the 64-bit TSS that holds the IST stack pointers) and IDT.
#pragma once

#include <cstdint>

namespace os::arch {

// Loads the GDT and TSS and reloads the segment registers.
void load_gdt();
// Points all 256 vectors at the stubs of interrupts.S, each on its IST stack.
void load_idt();

} // namespace os::arch
