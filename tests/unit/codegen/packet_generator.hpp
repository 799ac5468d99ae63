#pragma once
// Random packets for differential tests, biased to where rules change their answer: half are aimed at one
// rule (a point of one of its boxes, often on an edge or just outside it), half take each field from the
// values the program's tests name (bounds, bounds +- 1, listed values) or uniformly at random.

#include "nacl/evaluate.hpp"
#include "nacl/ir.hpp"

#include <cstdint>
#include <map>
#include <random>
#include <vector>

namespace codegen_test {

class PacketGenerator {
public:
    PacketGenerator(const nacl::ir::Program& program, uint64_t seed);
    nacl::ir::Packet next();

private:
    nacl::ir::Packet aimed();
    nacl::ir::Packet scattered();
    uint64_t field_value(nacl::ir::Field f);
    void finish(nacl::ir::Packet& p); // zero the fields of other protocols, pick ifaces

    const nacl::ir::Program& program_;
    std::mt19937_64 rng_;
    std::map<nacl::ir::Field, std::vector<uint64_t>> pools_;
    std::vector<std::map<std::pair<int, int>, std::vector<std::pair<uint32_t, uint32_t>>>> terms_;
};

} // namespace codegen_test
