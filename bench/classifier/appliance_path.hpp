// The whole appliance per packet, on the host: the rule set's configuration (the same emitted C++ as the
// classifier's benchmarks) brought up by appliance::run() on a host net::Stack between two fake NICs, and
// fed the trace as 60-byte frames in bursts of 32. That is everything a packet costs the image after its
// NIC driver: the receive batch, Ethernet and IPv4 checks, conntrack, the chains (the classifier among them),
// the route, the next hop's MAC, the rewrite (TTL, checksum, addresses) and the transmit batch; plus the fake
// NIC's copy of each frame into a pool buffer, as a driver's receive copy. The classifier is a part of it;
// this says how large a part, and what one core could forward with no driver or kernel cost at all.
#pragma once

#include "appliance/config.hpp"
#include "trace_file.hpp"

#include <benchmark/benchmark.h>

#include <span>

namespace bench {

// Brings the appliance of `config` up (the generated rule sets' layout: NIC 0 outside 10.0.1.1/24, NIC 1
// inside 10.0.2.1/24, the default route via 10.0.2.2 there) and makes the trace's routable packets into
// frames arriving on NIC 0. Then sends every frame through once: the frames leaving NIC 1 must be exactly
// the trace's accepted packets, in order, each with its TTL one lower. False (and why, on stderr) otherwise.
bool start_appliance_path(const appliance::Config& config, std::span<const TraceLine> trace);

// Google Benchmark body, after start_appliance_path(): bursts of 32 frames in on NIC 0, one poll of the
// stack, the forwarded frames taken off NIC 1. Items are frames offered (accepted and dropped ones alike).
void run_appliance_path(benchmark::State& state);
// The same with one flow: the trace's first accepted UDP datagram, again and again (as dpdk-testpmd sends in
// bench/forward): the path with its connection always in the cache.
void run_appliance_one_flow(benchmark::State& state);

} // namespace bench
