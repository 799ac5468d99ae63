// Impaired links for tests: frames are dropped, duplicated, reordered and corrupted with a seeded,
// reproducible generator (the test wrappers of smoltcp's phy module). LossyLink is a cable between two fake
// NICs; ImpairedNic wraps any NIC and impairs what it receives.
#pragma once

#include "net/nic.hpp"
#include "net/testing/fake_nic.hpp"

#include <cstdint>
#include <deque>

namespace net::testing {

struct Impairments {
    // Probabilities in percent, per frame.
    unsigned drop = 0;
    unsigned duplicate = 0;
    unsigned reorder = 0; // the frame swaps places with the next one
    unsigned corrupt = 0; // one random bit of the frame is flipped
    std::uint64_t seed = 1;
};

class Impairer {
public:
    explicit Impairer(Impairments impairments) : impairments_(impairments), state_(impairments.seed) {}

    // Impairs `frames` in place (duplicates are copied into buffers of the frame's own pool).
    void apply(std::deque<PacketPtr>& frames);

    std::uint64_t dropped() const { return dropped_; }
    std::uint64_t duplicated() const { return duplicated_; }
    std::uint64_t reordered() const { return reordered_; }
    std::uint64_t corrupted() const { return corrupted_; }

private:
    std::uint64_t next();
    bool chance(unsigned percent) { return percent != 0 && next() % 100 < percent; }

    Impairments impairments_;
    std::uint64_t state_;
    std::uint64_t dropped_ = 0, duplicated_ = 0, reordered_ = 0, corrupted_ = 0;
};

class LossyLink {
public:
    LossyLink(FakeNic& a, FakeNic& b, Impairments impairments = {}) : a_(a), b_(b), impairer_(impairments) {}

    // Moves every frame sent by either side to the other, impaired; returns how many frames were delivered.
    std::size_t transfer();
    const Impairer& impairer() const { return impairer_; }
    std::uint64_t corrupted() const { return impairer_.corrupted(); }

private:
    std::size_t carry(FakeNic& from, FakeNic& to);

    FakeNic& a_;
    FakeNic& b_;
    Impairer impairer_;
};

// Any NIC, with what it receives impaired; sending passes through untouched (wrap the other end too for
// both directions).
class ImpairedNic final : public Nic {
public:
    ImpairedNic(Nic& inner, Impairments impairments) : inner_(inner), impairer_(impairments) {}

    MacAddress mac() const override { return inner_.mac(); }
    std::uint16_t mtu() const override { return inner_.mtu(); }
    bool link_up() const override { return inner_.link_up(); }
    std::size_t receive(PacketBatch& batch) override;
    std::size_t send(PacketBatch& batch) override { return inner_.send(batch); }
    const Impairer& impairer() const { return impairer_; }

private:
    Nic& inner_;
    Impairer impairer_;
    std::deque<PacketPtr> held_; // impaired frames not yet handed out (duplicates can overflow a batch)
};

} // namespace net::testing
