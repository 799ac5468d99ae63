// Iface elements: NIC selection, VLANs, address configuration, chains.
#include "object_reader.hpp"

#include <algorithm>
#include <bit>

namespace nacl::sema {

namespace {

const std::vector<std::string> kIfaceKeys = {"index",       "vlan",       "config",       "address",
                                             "netmask",     "gateway",    "dns",          "mac",
                                             "mtu",         "prerouting", "input",        "output",
                                             "postrouting", "masquerade", "buffer_limit", "send_queue_limit"};

bool contiguous_netmask(uint32_t mask) {
    return mask == 0 || std::countl_one(mask) + std::countr_zero(mask) == 32;
}

} // namespace

void Sema::build_interfaces() {
    for (Element* e : order_) {
        if (e->kind != ElementKind::Iface || !e->valid) continue;
        std::string owner = "Iface " + quoted(e->name);
        const ast::Value* object = read_object(*e->value, owner);
        if (!object) {
            e->valid = false;
            continue;
        }
        ObjectReader r(*this, *object, owner, kIfaceKeys);
        r.report_unknown({});
        ir::Interface iface;
        iface.name = e->name;
        iface.location = ir_location(e->name_span);

        if (auto* v = r.get("index")) {
            const ast::Value* d = deref(*v);
            if (d && d->kind == ast::Value::Kind::String)
                iface.mac = read_mac(*v, r.what("index"));
            else if (d)
                iface.index = read_integer(*v, 0, UINT32_MAX, r.what("index"));
        }
        if (auto* v = r.get("mac")) {
            if (r.get("index")) {
                auto& d = diags_.error(r.key_span("mac"), owner + " sets both `index` and `mac`");
                add_help(d, "select the NIC with one of them");
            }
            iface.mac = read_mac(*v, r.what("mac"));
        }
        if (!r.get("index") && !r.get("mac") && !r.misspelt("index") && !r.misspelt("mac")) {
            auto& d = diags_.error(e->name_span, owner + " has no `index`");
            add_help(d, "add `index: 0` (the NIC number) or `mac: \"..\"`; with the short form write `" +
                            e->name + ".index: 0`");
        }
        if (auto* v = r.get("vlan")) {
            if (auto n = read_integer(*v, 1, 4094, r.what("vlan"))) iface.vlan = static_cast<uint16_t>(*n);
        }
        if (auto* v = r.get("config")) {
            if (auto w = read_word(*v, {"static", "dhcp", "dhcp-with-fallback"}, "Iface config"))
                iface.config = static_cast<ir::IfaceConfig>(*w);
        }
        const char* address_keys[] = {"address", "netmask", "gateway", "dns"};
        std::optional<ir::Ip>* address_slots[] = {&iface.address, &iface.netmask, &iface.gateway, &iface.dns};
        for (size_t i = 0; i < 4; ++i) {
            auto* v = r.get(address_keys[i]);
            if (!v) continue;
            if (iface.config == ir::IfaceConfig::Dhcp) {
                auto& d =
                    diags_.error(r.key_span(address_keys[i]),
                                 quoted(address_keys[i]) + " cannot be set on " + owner + ": it uses `dhcp`");
                add_help(d, "use `config: dhcp-with-fallback` to give static values for when DHCP fails");
                continue;
            }
            *address_slots[i] = read_ipv4(*v, r.what(address_keys[i]));
        }
        if (iface.netmask && !contiguous_netmask(iface.netmask->to_v4())) {
            auto& d =
                diags_.error(r.get("netmask")->span, ir::to_string(*iface.netmask) + " is not a netmask");
            add_note(d, "a netmask is a run of one bits followed by zero bits, such as 255.255.255.0");
        }
        bool no_address = !r.get("address") && !r.misspelt("address");
        bool no_netmask = !r.get("netmask") && !r.misspelt("netmask");
        if (iface.config != ir::IfaceConfig::Dhcp && (no_address || no_netmask)) {
            std::string missing = no_address && no_netmask ? "`address` and `netmask`"
                                  : no_address             ? "`address`"
                                                           : "`netmask`";
            auto& d = diags_.error(e->name_span, owner + " needs " + missing);
            add_note(d, iface.config == ir::IfaceConfig::Static
                            ? "its config is `static` (the default)"
                            : "with `dhcp-with-fallback` they are used when DHCP gets no answer");
            if (iface.vlan) add_note(d, "a VLAN Iface needs an address and a netmask unless it uses DHCP");
        }
        if (auto* v = r.get("mtu")) iface.mtu = read_integer(*v, 68, 65535, r.what("mtu"));
        if (auto* v = r.get("masquerade"))
            iface.masquerade = read_bool(*v, r.what("masquerade")).value_or(false);
        const char* limit_keys[] = {"buffer_limit", "send_queue_limit"};
        std::optional<uint32_t>* limit_slots[] = {&iface.buffer_limit, &iface.send_queue_limit};
        for (size_t i = 0; i < 2; ++i) {
            auto* v = r.get(limit_keys[i]);
            if (!v) continue;
            if (iface.vlan) {
                auto& d = diags_.error(r.key_span(limit_keys[i]),
                                       quoted(limit_keys[i]) + " cannot be set on a VLAN Iface");
                add_note(d, "the limits belong to the NIC; set them on the Iface without `vlan`");
                continue;
            }
            if (auto n = read_integer(*v, 1, UINT32_MAX, r.what(limit_keys[i])))
                *limit_slots[i] = static_cast<uint32_t>(*n);
        }
        const std::pair<const char*, ir::Hook> hooks[] = {{"prerouting", ir::Hook::Prerouting},
                                                          {"input", ir::Hook::Input},
                                                          {"output", ir::Hook::Output},
                                                          {"postrouting", ir::Hook::Postrouting}};
        for (auto [key, hook] : hooks)
            if (auto* v = r.get(key)) chain_requests_.push_back({e->name, hook, v, r.key_span(key)});
        if (iface.masquerade) iface.conntrack = true;
        e->ir_index = ir_.interfaces.size();
        ir_.interfaces.push_back(std::move(iface));
    }
}

void Sema::check_nics() {
    // Two Ifaces without VLAN on one NIC, or two VLAN Ifaces with the same tag
    // on one NIC, would receive the same frames.
    struct Seen {
        std::string nic;
        std::optional<uint16_t> vlan;
        const Element* element;
    };
    std::vector<Seen> seen;
    for (Element* e : order_) {
        if (e->kind != ElementKind::Iface || !e->valid) continue;
        const ir::Interface& iface = ir_.interfaces[e->ir_index];
        std::string nic = iface.mac     ? "NIC " + *iface.mac
                          : iface.index ? "NIC " + std::to_string(*iface.index)
                                        : std::string();
        if (nic.empty()) continue;
        auto other = std::find_if(seen.begin(), seen.end(),
                                  [&](auto& s) { return s.nic == nic && s.vlan == iface.vlan; });
        if (other != seen.end()) {
            std::string what = iface.vlan ? nic + " with VLAN " + std::to_string(*iface.vlan) : nic;
            auto& d = diags_.error(e->name_span, "Iface " + quoted(e->name) + " uses " + what +
                                                     ", like Iface " + quoted(other->element->name));
            add_note(d, quoted(other->element->name) + " is defined here", other->element->name_span);
            if (!iface.vlan)
                add_help(d, "give each Iface its own `index`, or a `vlan` to make a sub-interface");
            continue;
        }
        seen.push_back({nic, iface.vlan, e});
    }
}

} // namespace nacl::sema
