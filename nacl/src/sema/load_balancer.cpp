// Load_balancer elements: clients side, servers side with its pool.
#include "object_reader.hpp"

#include <algorithm>

namespace nacl::sema {

void Sema::build_load_balancers() {
    std::vector<std::pair<std::string, const Element*>> layers;
    for (Element* e : order_) {
        if (e->kind != ElementKind::LoadBalancer || !e->valid) continue;
        std::string owner = "Load_balancer " + quoted(e->name);
        const ast::Value* object = read_object(*e->value, owner);
        if (!object) continue;
        ObjectReader r(*this, *object, owner, {"layer", "clients", "servers"});
        r.report_unknown({});
        ir::LoadBalancer lb;
        lb.name = e->name;
        lb.location = ir_location(e->name_span);
        bool ok = true;

        if (auto* v = r.get("layer")) {
            ok = read_word(*v, {"tcp"}, "load balancer layer (only `tcp` is supported)").has_value() && ok;
        }
        auto same = std::find_if(layers.begin(), layers.end(), [&](auto& l) { return l.first == lb.layer; });
        if (same != layers.end()) {
            auto& d = diags_.error(e->name_span, "a second Load_balancer for layer " + quoted(lb.layer));
            add_note(d, "there is one Load_balancer per layer; the first is " + quoted(same->second->name),
                     same->second->name_span);
            ok = false;
        } else {
            layers.push_back({lb.layer, e});
        }

        if (auto* v = r.get("clients")) {
            if (const ast::Value* c = read_object(*v, r.what("clients"))) {
                ObjectReader cr(*this, *c, "the clients of " + owner,
                                {"iface", "port", "wait_queue_limit", "session_limit"});
                cr.report_unknown({});
                if (auto* i = cr.get("iface")) {
                    if (Element* iface = read_element(*i, ElementKind::Iface, cr.what("iface")))
                        lb.clients_iface = iface->name;
                    else
                        ok = false;
                } else {
                    diags_.error(c->span, "the clients of " + owner + " need an `iface`");
                    ok = false;
                }
                if (auto* p = cr.get("port")) {
                    auto port = read_integer(*p, 1, 65535, cr.what("port"));
                    ok = port && ok;
                    lb.clients_port = static_cast<uint16_t>(port.value_or(0));
                } else {
                    diags_.error(c->span, "the clients of " + owner + " need a `port`");
                    ok = false;
                }
                if (auto* w = cr.get("wait_queue_limit"))
                    lb.wait_queue_limit =
                        static_cast<uint32_t>(read_integer(*w, 0, UINT32_MAX, cr.what("wait_queue_limit"))
                                                  .value_or(lb.wait_queue_limit));
                if (auto* s = cr.get("session_limit"))
                    lb.session_limit = static_cast<uint32_t>(
                        read_integer(*s, 1, UINT32_MAX, cr.what("session_limit")).value_or(lb.session_limit));
            } else {
                ok = false;
            }
        } else {
            diags_.error(e->name_span, owner + " needs `clients`");
            ok = false;
        }

        if (auto* v = r.get("servers")) {
            if (const ast::Value* s = read_object(*v, r.what("servers"))) {
                std::string sowner = "the servers of " + owner;
                ObjectReader sr(*this, *s, sowner, {"iface", "algorithm", "pool", "health"});
                sr.report_unknown({});
                if (auto* i = sr.get("iface")) {
                    if (Element* iface = read_element(*i, ElementKind::Iface, sr.what("iface")))
                        lb.servers_iface = iface->name;
                    else
                        ok = false;
                } else {
                    diags_.error(s->span, sowner + " need an `iface`");
                    ok = false;
                }
                if (auto* a = sr.get("algorithm")) {
                    auto w = read_word(*a, {"round_robin", "least_connections", "source_hash"},
                                       "load balancing algorithm");
                    if (w) lb.algorithm = static_cast<ir::LbAlgorithm>(*w);
                }
                if (auto* p = sr.get("pool")) {
                    const ast::Value* list = deref(*p);
                    if (list && list->kind != ast::Value::Kind::List) {
                        diags_.error(p->span, sr.what("pool") + " must be a list of { address, port }, not " +
                                                  describe(*list));
                        ok = false;
                    } else if (list) {
                        for (const ast::Value& item : list->items) {
                            const ast::Value* n = read_object(item, "a pool entry");
                            if (!n) {
                                ok = false;
                                continue;
                            }
                            ObjectReader nr(*this, *n, "a pool entry", {"address", "port", "weight"});
                            nr.report_unknown({});
                            ir::PoolNode node;
                            node.location = ir_location(item.span);
                            if (auto* a = nr.get("address")) {
                                auto ip = read_ipv4(*a, nr.what("address"));
                                ok = ip && ok;
                                if (ip) node.address = *ip;
                            } else {
                                diags_.error(n->span, "a pool entry needs an `address`");
                                ok = false;
                            }
                            if (auto* pt = nr.get("port")) {
                                auto port = read_integer(*pt, 1, 65535, nr.what("port"));
                                ok = port && ok;
                                node.port = static_cast<uint16_t>(port.value_or(0));
                            } else {
                                diags_.error(n->span, "a pool entry needs a `port`");
                                ok = false;
                            }
                            if (auto* w = nr.get("weight"))
                                node.weight = static_cast<uint32_t>(
                                    read_integer(*w, 1, 1000000, nr.what("weight")).value_or(1));
                            lb.pool.push_back(node);
                        }
                        if (list->items.empty()) {
                            diags_.error(p->span, "the pool of " + owner + " is empty");
                            ok = false;
                        }
                    }
                } else {
                    diags_.error(s->span, sowner + " need a `pool` of { address, port }");
                    ok = false;
                }
                if (auto* h = sr.get("health")) {
                    if (const ast::Value* ho = read_object(*h, sr.what("health"))) {
                        ObjectReader hr(*this, *ho, "the health check of " + owner,
                                        {"interval", "timeout", "rise", "fall"});
                        hr.report_unknown({});
                        ir::HealthCheck hc;
                        const std::pair<const char*, uint32_t*> keys[] = {{"interval", &hc.interval},
                                                                          {"timeout", &hc.timeout},
                                                                          {"rise", &hc.rise},
                                                                          {"fall", &hc.fall}};
                        for (auto [key, slot] : keys)
                            if (auto* kv = hr.get(key))
                                *slot = static_cast<uint32_t>(
                                    read_integer(*kv, 1, 86400, hr.what(key)).value_or(*slot));
                        if (hc.timeout >= hc.interval && hr.get("timeout")) {
                            diags_.error(hr.get("timeout")->span,
                                         "the health check `timeout` must be shorter than its `interval`");
                            ok = false;
                        }
                        lb.health = hc;
                    }
                }
            } else {
                ok = false;
            }
        } else {
            diags_.error(e->name_span, owner + " needs `servers`");
            ok = false;
        }
        if (ok) ir_.load_balancers.push_back(std::move(lb));
    }
}

} // namespace nacl::sema
