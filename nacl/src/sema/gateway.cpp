// The Gateway: routes, the forward chain, ICMP time-exceeded.
#include "object_reader.hpp"

#include <bit>

namespace nacl::sema {

namespace {

const std::vector<std::string> kGatewayOptions = {"send_time_exceeded", "forward"};
const std::vector<std::string> kRouteKeys = {"net", "host", "netmask", "iface", "nexthop", "cost"};

} // namespace

namespace {

struct RouteBuilder {
    Sema& sema;

    std::optional<ir::Route> build(const ast::Value& value, const std::string& name, Span name_span) {
        std::string owner = name.empty() ? "a Gateway route" : "route " + quoted(name);
        const ast::Value* object = sema.read_object(value, owner);
        if (!object) return std::nullopt;
        ObjectReader r(sema, *object, owner, kRouteKeys);
        r.report_unknown({});
        ir::Route route;
        route.name = name;
        route.location = sema.ir_location(name.empty() ? object->span : name_span);
        bool ok = true;

        const ast::Value* net = r.get("net");
        const ast::Value* host = r.get("host");
        const char* net_key = net ? "net" : "host";
        if (net && host) {
            sema.diags_.error(r.key_span("host"), owner + " sets both `net` and `host`");
            ok = false;
        } else if (!net && !host) {
            auto& d = sema.diags_.error(object->span, owner + " has no destination");
            add_help(d, "add `net: 10.0.0.0` (with `netmask`) or `net: 10.0.0.0/24`");
            ok = false;
        }
        const ast::Value* destination = net ? net : host;
        std::optional<uint8_t> length;
        std::optional<ir::Ip> address;
        if (destination) {
            const ast::Value* d = sema.deref(*destination);
            if (d && d->kind == ast::Value::Kind::Prefix && !d->address.v6) {
                address = ir::Ip{false, d->address.bytes};
                length = static_cast<uint8_t>(d->number);
            } else if (d) {
                address = sema.read_ipv4(*destination, r.what(net_key));
            }
            ok = ok && address;
        }
        if (auto* m = r.get("netmask")) {
            auto mask = sema.read_ipv4(*m, r.what("netmask"));
            if (!mask) {
                ok = false;
            } else {
                uint32_t bits = mask->to_v4();
                auto ones = static_cast<uint8_t>(std::countl_one(bits));
                if (bits != 0 && ones + std::countr_zero(bits) != 32) {
                    auto& d = sema.diags_.error(m->span, ir::to_string(*mask) + " is not a netmask");
                    add_note(d,
                             "a netmask is a run of one bits followed by zero bits, such as 255.255.255.0");
                    ok = false;
                } else if (length && *length != ones) {
                    sema.diags_.error(m->span, "the netmask " + ir::to_string(*mask) +
                                                   " disagrees with the prefix /" + std::to_string(*length));
                    ok = false;
                }
                length = ones;
            }
        } else if (!length && destination) {
            auto& d = sema.diags_.error(r.key_span(net_key), owner + " needs a `netmask`");
            add_help(d, "add `netmask: 255.255.255.0`, or write the destination as a prefix: `10.0.0.0/24`");
            ok = false;
        }
        if (ok && address && length) {
            uint32_t mask = *length == 0 ? 0 : ~uint32_t(0) << (32 - *length);
            uint32_t a = address->to_v4();
            // `net` must be a network; `host` is any address in it.
            if ((a & ~mask) != 0 && net) {
                auto& d = sema.diags_.error(net->span, ir::to_string(*address) + " has host bits set for /" +
                                                           std::to_string(*length));
                add_help(d, "did you mean " + quoted(ir::to_string(ir::Ip::v4(a & mask))) +
                                "? (or use `host` for an address inside the network)");
                ok = false;
            }
            route.destination = {ir::Ip::v4(a & mask), *length};
        }
        if (auto* v = r.get("iface")) {
            Element* iface = sema.read_element(*v, ElementKind::Iface, r.what("iface"));
            if (iface) {
                route.iface = iface->name;
                ir::Interface& i = sema.ir_.interfaces[iface->ir_index];
                i.forwarding = i.conntrack = true;
            } else {
                ok = false;
            }
        } else {
            sema.diags_.error(name.empty() ? object->span : name_span, owner + " needs an `iface`");
            ok = false;
        }
        if (auto* v = r.get("nexthop")) {
            route.nexthop = sema.read_ipv4(*v, r.what("nexthop"));
            ok = ok && route.nexthop;
        }
        if (auto* v = r.get("cost")) {
            auto cost = sema.read_integer(*v, 0, UINT32_MAX, r.what("cost"));
            if (cost) route.cost = static_cast<uint32_t>(*cost);
        }
        if (!ok) return std::nullopt;
        return route;
    }
};

} // namespace

void Sema::build_gateway() {
    if (!gateway_ || !gateway_->valid) return;
    ir::Gateway gw;
    gw.name = gateway_->name;
    gw.location = ir_location(gateway_->name_span);
    RouteBuilder routes{*this};
    const ast::Value* value = deref(*gateway_->value);
    if (!value) return;
    if (value->kind == ast::Value::Kind::List) {
        for (const ast::Value* item : flatten(*value, false))
            if (auto route = routes.build(*item, "", {})) gw.routes.push_back(*route);
    } else if (value->kind == ast::Value::Kind::Object) {
        std::string owner = "Gateway " + quoted(gw.name);
        ObjectReader r(*this, *value, owner, kGatewayOptions);
        if (auto* v = r.get("send_time_exceeded"))
            gw.send_time_exceeded = read_bool(*v, r.what("send_time_exceeded")).value_or(false);
        if (auto* v = r.get("forward"))
            chain_requests_.push_back({"", ir::Hook::Forward, v, r.key_span("forward")});
        for (const ast::Member* m : r.others()) {
            // Any other key names a route; a key that is not an object is most
            // likely a misspelt option.
            const ast::Value* d = deref(*m->value);
            if (d && d->kind != ast::Value::Kind::Object) {
                auto& diag = diags_.error(m->key.span, "unknown key " + quoted(m->key.text) + " in " + owner);
                if (auto best = closest_match(m->key.text, kGatewayOptions))
                    add_help(diag, "did you mean " + quoted(*best) + "?");
                add_note(diag, "the options are send_time_exceeded and forward; any other key names a route "
                               "{ net, netmask, iface, nexthop, cost }");
                continue;
            }
            if (auto route = routes.build(*m->value, m->key.text, m->key.span)) gw.routes.push_back(*route);
        }
    } else {
        diags_.error(gateway_->value->span,
                     "a Gateway is an object of routes and options, or a list of routes, not " +
                         describe(*value));
        return;
    }
    ir_.gateway = std::move(gw);
}

} // namespace nacl::sema
