#include "net/route_table.hpp"

#include "net/interface.hpp"

namespace net {

namespace {
// Sort order: longer prefixes first, then lower metrics; so lookup's first match is the answer.
bool before(const Route& a, const Route& b) {
    if (a.destination.prefix_len != b.destination.prefix_len)
        return a.destination.prefix_len > b.destination.prefix_len;
    return a.metric < b.metric;
}
} // namespace

ErrorOr<void> RouteTable::add(Route route) {
    if (route.interface == nullptr || route.destination.prefix_len > 32) return Error::InvalidArgument;
    route.destination.address = route.destination.network();
    // Replace an identical route (same destination, interface and gateway): its metric may change.
    for (std::size_t i = 0; i < size_; ++i) {
        const Route& r = routes_[i];
        if (r.destination == route.destination && r.interface == route.interface &&
            r.gateway == route.gateway) {
            for (std::size_t j = i + 1; j < size_; ++j)
                routes_[j - 1] = routes_[j];
            --size_;
            break;
        }
    }
    if (size_ == capacity) return Error::TableFull;
    std::size_t pos = size_;
    while (pos > 0 && before(route, routes_[pos - 1])) {
        routes_[pos] = routes_[pos - 1];
        --pos;
    }
    routes_[pos] = route;
    ++size_;
    return {};
}

ErrorOr<void> RouteTable::remove(Ipv4Cidr destination, const Interface* interface) {
    destination.address = destination.network();
    for (std::size_t i = 0; i < size_; ++i) {
        if (routes_[i].destination == destination && routes_[i].interface == interface) {
            for (std::size_t j = i + 1; j < size_; ++j)
                routes_[j - 1] = routes_[j];
            --size_;
            return {};
        }
    }
    return Error::NotFound;
}

void RouteTable::remove_all(const Interface* interface, RouteOrigin origin) {
    std::size_t out = 0;
    for (std::size_t i = 0; i < size_; ++i) {
        if (routes_[i].interface == interface && routes_[i].origin == origin) continue;
        routes_[out++] = routes_[i];
    }
    size_ = out;
}

const Route* RouteTable::lookup(Ipv4Address dst) const {
    for (std::size_t i = 0; i < size_; ++i) {
        const Route& r = routes_[i];
        if (r.destination.contains(dst) && r.interface->link_up()) return &r;
    }
    return nullptr;
}

} // namespace net
