#include "net/testing/lossy_link.hpp"

#include <cstring>
#include <utility>

namespace net::testing {

std::uint64_t Impairer::next() {
    // splitmix64: small, fast and reproducible from the seed.
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void Impairer::apply(std::deque<PacketPtr>& frames) {
    std::deque<PacketPtr> out;
    for (auto& f : frames) {
        if (chance(impairments_.drop)) {
            ++dropped_;
            continue;
        }
        if (chance(impairments_.corrupt) && f->size() > 0) {
            const std::uint64_t bit = next() % (f->size() * 8);
            f->data()[bit / 8] ^= std::byte{static_cast<unsigned char>(1u << (bit % 8))};
            ++corrupted_;
        }
        if (chance(impairments_.duplicate)) {
            PacketPtr copy = f->pool().allocate();
            if (copy && copy->append(f->size())) {
                std::memcpy(copy->data().data(), f->data().data(), f->size());
                out.push_back(std::move(copy));
                ++duplicated_;
            }
        }
        out.push_back(std::move(f));
    }
    for (std::size_t i = 0; i + 1 < out.size(); ++i) {
        if (chance(impairments_.reorder)) {
            std::swap(out[i], out[i + 1]);
            ++reordered_;
            ++i;
        }
    }
    frames = std::move(out);
}

std::size_t LossyLink::carry(FakeNic& from, FakeNic& to) {
    std::deque<PacketPtr> frames = std::move(from.sent());
    from.sent().clear();
    impairer_.apply(frames);
    const std::size_t n = frames.size();
    for (auto& f : frames)
        to.inject(std::move(f));
    return n;
}

std::size_t LossyLink::transfer() {
    return carry(a_, b_) + carry(b_, a_);
}

std::size_t ImpairedNic::receive(PacketBatch& batch) {
    PacketBatch fresh;
    inner_.receive(fresh);
    std::deque<PacketPtr> frames;
    for (auto& p : fresh)
        frames.push_back(std::move(p));
    impairer_.apply(frames);
    for (auto& p : frames)
        held_.push_back(std::move(p));
    std::size_t n = 0;
    while (!held_.empty() && !batch.full()) {
        (void)batch.push(std::move(held_.front()));
        held_.pop_front();
        ++n;
    }
    return n;
}

} // namespace net::testing
