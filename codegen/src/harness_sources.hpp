#pragma once
// The harness sources (codegen/harness/), embedded at build time so naclc can compile a harness for any
// configuration without the source tree.

namespace codegen {
extern const char* const harness_harness_packet;
extern const char* const harness_rule_packet_host;
extern const char* const harness_harness_main;
} // namespace codegen
