// Conntrack, Syslog and Timer elements.
#include "object_reader.hpp"

namespace nacl::sema {

void Sema::build_conntrack() {
    if (!conntrack_ || !conntrack_->valid) return;
    ir::Conntrack& ct = ir_.conntrack;
    ct.name = conntrack_->name;
    ct.location = ir_location(conntrack_->name_span);
    std::string owner = "Conntrack " + quoted(ct.name);
    const ast::Value* object = read_object(*conntrack_->value, owner);
    if (!object) return;
    ObjectReader r(*this, *object, owner, {"limit", "reserve", "stateful_tcp", "timeout"});
    r.report_unknown({});
    if (auto* v = r.get("limit"))
        ct.limit = static_cast<uint32_t>(read_integer(*v, 1, UINT32_MAX, r.what("limit")).value_or(ct.limit));
    if (auto* v = r.get("reserve")) {
        ct.reserve =
            static_cast<uint32_t>(read_integer(*v, 0, UINT32_MAX, r.what("reserve")).value_or(ct.reserve));
        if (ct.reserve > ct.limit) {
            auto& d =
                diags_.error(v->span, "`reserve` (" + std::to_string(ct.reserve) +
                                          ") is larger than `limit` (" + std::to_string(ct.limit) + ")");
            add_note(d, "reserve is the number of entries allocated up front, out of limit");
        }
    }
    if (auto* v = r.get("stateful_tcp"))
        ct.stateful_tcp = read_bool(*v, r.what("stateful_tcp")).value_or(false);
    auto* timeout = r.get("timeout");
    if (!timeout) return;
    const ast::Value* t = read_object(*timeout, r.what("timeout"));
    if (!t) return;
    ObjectReader tr(*this, *t, "the Conntrack timeouts", {"established", "unconfirmed", "confirmed"});
    tr.report_unknown({});
    const std::pair<const char*, ir::ProtocolTimeouts*> states[] = {
        {"established", &ct.established}, {"unconfirmed", &ct.unconfirmed}, {"confirmed", &ct.confirmed}};
    for (auto [state, slot] : states) {
        auto* v = tr.get(state);
        if (!v) continue;
        const ast::Value* per = read_object(*v, "timeout." + std::string(state));
        if (!per) continue;
        ObjectReader pr(*this, *per, "timeout." + std::string(state), {"tcp", "udp", "icmp"});
        pr.report_unknown({});
        const std::pair<const char*, uint32_t*> protocols[] = {
            {"tcp", &slot->tcp}, {"udp", &slot->udp}, {"icmp", &slot->icmp}};
        for (auto [proto, seconds] : protocols)
            if (auto* s = pr.get(proto))
                *seconds =
                    static_cast<uint32_t>(read_integer(*s, 1, UINT32_MAX, pr.what(proto)).value_or(*seconds));
    }
}

void Sema::build_syslog() {
    if (!syslog_ || !syslog_->valid) return;
    std::string owner = "Syslog " + quoted(syslog_->name);
    const ast::Value* object = read_object(*syslog_->value, owner);
    if (!object) return;
    ObjectReader r(*this, *object, owner, {"address", "port"});
    r.report_unknown({});
    ir::Syslog s;
    s.name = syslog_->name;
    s.location = ir_location(syslog_->name_span);
    if (auto* v = r.get("address")) {
        auto a = read_address(*v, r.what("address"));
        if (!a) return;
        s.address = *a;
    } else {
        diags_.error(syslog_->name_span, owner + " needs an `address`");
        return;
    }
    if (auto* v = r.get("port"))
        s.port = static_cast<uint16_t>(read_integer(*v, 1, 65535, r.what("port")).value_or(514));
    ir_.syslog = s;
}

void Sema::build_timers() {
    static const std::vector<std::string> data_words = {"timestamp", "stats",  "memory",        "cpu",
                                                        "lb",        "timers", "stack-sampling"};
    for (Element* e : order_) {
        if (e->kind != ElementKind::Timer || !e->valid) continue;
        std::string owner = "Timer " + quoted(e->name);
        const ast::Value* object = read_object(*e->value, owner);
        if (!object) continue;
        ObjectReader r(*this, *object, owner, {"interval", "data"});
        r.report_unknown({});
        ir::Timer t;
        t.name = e->name;
        t.location = ir_location(e->name_span);
        if (auto* v = r.get("interval")) {
            t.interval =
                static_cast<uint32_t>(read_integer(*v, 1, UINT32_MAX, r.what("interval")).value_or(0));
        } else {
            diags_.error(e->name_span, owner + " needs an `interval` (seconds)");
        }
        if (auto* v = r.get("data")) {
            const ast::Value* d = deref(*v);
            if (d && d->kind != ast::Value::Kind::List) {
                diags_.error(v->span,
                             r.what("data") + " must be a list such as [stats, memory], not " + describe(*d));
            } else if (d) {
                for (const ast::Value* item : flatten(*d, false))
                    if (auto w = read_word(*item, data_words, "Timer data"))
                        t.data.push_back(static_cast<ir::TimerData>(*w));
                if (d->items.empty()) diags_.error(v->span, r.what("data") + " is empty");
            }
        } else {
            auto& d = diags_.error(e->name_span, owner + " needs `data`: what to report");
            add_note(d, "for example `data: [timestamp, stats, memory]`");
        }
        ir_.timers.push_back(std::move(t));
    }
}

} // namespace nacl::sema
