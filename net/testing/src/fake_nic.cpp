#include "net/testing/fake_nic.hpp"

#include <cstring>

namespace net::testing {

std::size_t FakeNic::receive(PacketBatch& batch) {
    std::size_t n = 0;
    while (!rx_.empty() && !batch.full()) {
        (void)batch.push(std::move(rx_.front()));
        rx_.pop_front();
        ++n;
    }
    return n;
}

std::size_t FakeNic::send(PacketBatch& batch) {
    const std::size_t n = batch.size() < tx_limit_ ? batch.size() : tx_limit_;
    for (std::size_t i = 0; i < n; ++i)
        sent_.push_back(std::move(batch[i]));
    batch.remove_front(n);
    return n;
}

bool FakeNic::inject(std::span<const std::byte> frame) {
    PacketPtr p = pool_.allocate();
    if (!p || !p->append(frame.size())) return false;
    if (!frame.empty()) std::memcpy(p->data().data(), frame.data(), frame.size());
    rx_.push_back(std::move(p));
    return true;
}

std::vector<std::vector<std::byte>> FakeNic::take_sent() {
    std::vector<std::vector<std::byte>> out;
    for (auto& p : sent_)
        out.emplace_back(p->data().begin(), p->data().end());
    sent_.clear();
    return out;
}

} // namespace net::testing
