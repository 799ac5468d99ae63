#include "appliance/conntrack/fragment_cache.hpp"

namespace appliance::conntrack {

std::size_t FragmentCache::slot_of(const Key& k) {
    std::uint64_t h = (std::uint64_t{k.src} << 32 | k.dst) * 0x9e3779b97f4a7c15u;
    h ^= (std::uint64_t{k.id} << 8 | k.protocol) * 0xc2b2ae3d27d4eb4fu;
    return static_cast<std::size_t>(h >> 56) % size;
}

bool FragmentCache::remember(const Key& key, const Value& value, net::Instant now) {
    Item& i = items_[slot_of(key)];
    const bool displaced = i.used && !(i.key == key) && net::to_ns(now) - i.at_ns <= lifetime.count();
    i = Item{key, value, net::to_ns(now), true};
    return displaced;
}

std::optional<FragmentCache::Value> FragmentCache::find(const Key& key, net::Instant now) const {
    const Item& i = items_[slot_of(key)];
    if (!i.used || !(i.key == key) || net::to_ns(now) - i.at_ns > lifetime.count()) return std::nullopt;
    return i.value;
}

} // namespace appliance::conntrack
