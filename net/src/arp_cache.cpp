#include "net/arp_cache.hpp"

namespace net {

ArpCache::Entry* ArpCache::find(Ipv4Address ip) {
    for (auto& e : entries_) {
        if (e.state != State::Free && e.ip == ip) return &e;
    }
    return nullptr;
}

const ArpCache::Entry* ArpCache::find(Ipv4Address ip) const {
    for (const auto& e : entries_) {
        if (e.state != State::Free && e.ip == ip) return &e;
    }
    return nullptr;
}

ArpCache::Entry* ArpCache::allocate(Instant now) {
    Entry* victim = nullptr;
    for (auto& e : entries_) {
        if (e.state == State::Free) return &e;
        // An expired resolved entry is as good as free.
        if (e.state == State::Resolved && e.deadline <= now) return &e;
        // Otherwise evict the resolved entry closest to expiry; entries being resolved hold packets.
        if (e.state == State::Resolved && (victim == nullptr || e.deadline < victim->deadline)) victim = &e;
    }
    if (victim != nullptr) ++evicted_;
    return victim;
}

std::optional<MacAddress> ArpCache::lookup(Ipv4Address ip, Instant now) const {
    const Entry* e = find(ip);
    if (e == nullptr || e->state != State::Resolved || e->deadline <= now) return std::nullopt;
    return e->mac;
}

bool ArpCache::learn(Ipv4Address ip, MacAddress mac, Instant now, bool create) {
    Entry* e = find(ip);
    if (e == nullptr) {
        if (!create) return false;
        e = allocate(now);
        if (e == nullptr) return false;
        e->ip = ip;
    }
    e->mac = mac;
    e->state = State::Resolved;
    e->requests = 0;
    e->deadline = now + config_.entry_lifetime;
    return true;
}

ArpCache::QueueResult ArpCache::enqueue(Ipv4Address next_hop, PacketPtr& packet, Instant now) {
    Entry* e = find(next_hop);
    bool fresh = false;
    if (e == nullptr || (e->state == State::Resolved && e->deadline <= now)) {
        if (e == nullptr) e = allocate(now);
        if (e == nullptr) return {}; // every entry is being resolved
        e->ip = next_hop;
        e->state = State::Incomplete;
        e->requests = 1;
        e->deadline = now + config_.retry_interval;
        fresh = true;
    }
    std::size_t for_address = 0;
    Waiting* slot = nullptr;
    for (auto& w : queue_) {
        if (!w.packet) {
            if (slot == nullptr) slot = &w;
        } else if (w.next_hop == next_hop) {
            ++for_address;
        }
    }
    if (slot == nullptr || for_address >= queue_per_address) return {false, fresh};
    slot->packet = std::move(packet);
    slot->next_hop = next_hop;
    return {true, fresh};
}

std::optional<ArpCache::Ready> ArpCache::take_ready(Instant now) {
    for (auto& w : queue_) {
        if (!w.packet) continue;
        if (auto mac = lookup(w.next_hop, now)) return Ready{std::move(w.packet), *mac};
    }
    return std::nullopt;
}

std::optional<Instant> ArpCache::next_deadline() const {
    std::optional<Instant> next;
    for (const auto& e : entries_) {
        if (e.state == State::Incomplete && (!next || e.deadline < *next)) next = e.deadline;
    }
    return next;
}

std::size_t ArpCache::queued() const {
    std::size_t n = 0;
    for (const auto& w : queue_)
        n += w.packet ? 1 : 0;
    return n;
}

} // namespace net
