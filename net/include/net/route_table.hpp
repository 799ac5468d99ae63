// The routing table: longest-prefix match, lowest metric among equal prefixes.
#pragma once

#include "net/ipv4_address.hpp"
#include "net/result.hpp"

#include <array>
#include <cstdint>
#include <span>

namespace net {

class Interface;

enum class RouteOrigin : std::uint8_t {
    Static,    // added by the application
    Interface, // connected and default routes installed by Interface::configure() or DHCP
};

struct Route {
    Ipv4Cidr destination; // host bits are cleared when added
    Ipv4Address gateway;  // unspecified: the destination is on the link
    Interface* interface = nullptr;
    std::uint32_t metric = 0;
    RouteOrigin origin = RouteOrigin::Static;
};

class RouteTable {
public:
    static constexpr std::size_t capacity = 256;

    // Replaces a route with the same destination, interface and gateway (new metric). TableFull when full.
    ErrorOr<void> add(Route route);
    // Removes the route with that destination and interface; NotFound if there was none.
    ErrorOr<void> remove(Ipv4Cidr destination, const Interface* interface);
    // Removes every route through `interface` of that origin.
    void remove_all(const Interface* interface, RouteOrigin origin);

    // The most specific route to `dst` whose interface is up and, among those, the lowest metric; null if
    // none. The table is kept sorted (prefix length down, metric up), so the first match is the answer.
    const Route* lookup(Ipv4Address dst) const;

    std::span<const Route> routes() const { return {routes_.data(), size_}; }

private:
    std::array<Route, capacity> routes_{};
    std::size_t size_ = 0;
};

} // namespace net
