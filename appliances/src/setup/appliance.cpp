// Appliance::create: the setup steps in order, each saying on the console what it cannot honour. All the
// memory the packet path uses (chains, rule counters, the conntrack table) is allocated here, once.
#include "../appliance_internal.hpp"

#include <new>

namespace appliance {

std::unique_ptr<Appliance> Appliance::create(const Config& config, net::Stack& stack, Platform& platform) {
    // Allocation failures are values here: `new (std::nothrow_t{})` (images have os/'s nothrow operator new
    // but no libc++, so no std::nothrow object to name).
    std::unique_ptr<Appliance> a(new (std::nothrow_t{}) Appliance(config, stack, platform));
    if (!a) {
        platform.print("appliance: out of memory\n");
        return nullptr;
    }
    if (!a->set_up()) return nullptr;
    return a;
}

Appliance::Appliance(const Config& config, net::Stack& stack, Platform& platform)
    : config_(config), stack_(stack), platform_(platform), responder_(stack) {}

Appliance::~Appliance() {
    if (hooks_installed_) {
        for (std::size_t p = 0; p < net::hook_point_count; ++p)
            stack_.hooks().clear(static_cast<net::HookPoint>(p));
        stack_.hooks().set_burst(nullptr, nullptr);
        stack_.on_address_change({});
    }
    if (timers_) {
        for (std::size_t i = 0; i < config_.timers.size(); ++i) {
            if (timers_[i].id != Platform::TimerId::none) platform_.stop(timers_[i].id);
        }
    }
    if (housekeeping_timer_ != Platform::TimerId::none) platform_.stop(housekeeping_timer_);
}

bool Appliance::set_up() {
    if (!set_up_interfaces() || !set_up_routes() || !set_up_chains() || !set_up_conntrack() ||
        !set_up_syslog() || !set_up_timers())
        return false;
    install_hooks();
    stack_.on_address_change(
        [this](net::Interface& iface, net::DhcpState state) { report_address(iface, state); });
    print_summary();
    return true;
}

bool Appliance::set_up_chains() {
    const std::size_t n = config_.ifaces.size();
    // Validate, then count the functions of each (Iface, hook) and of the forward chain.
    for (const ChainConfig& c : config_.chains) {
        TextBuffer<160> why;
        if (c.function == nullptr) why.add("a chain has no function");
        if (c.hook == Hook::Forward && c.iface != no_iface)
            why.add("the forward chain belongs to the Gateway, not to an Iface (iface must be no_iface)");
        if (c.hook != Hook::Forward && c.iface >= n) why.add("a chain's Iface index is out of range");
        if (hook_index(c.hook) > hook_index(Hook::Postrouting)) why.add("a chain has an unknown hook");
        if (!why.empty()) {
            console(TextBuffer<200>().add("appliance: ").add(why.view()).add('\n').view());
            return false;
        }
    }
    chain_functions_.reset(new (std::nothrow_t{}) ChainFunction[config_.chains.size() + 1]);
    rule_hits_.reset(new (std::nothrow_t{}) std::uint64_t[config_.rules.size() + 1]());
    if (!chain_functions_ || !rule_hits_) {
        console("appliance: out of memory for the chains\n");
        return false;
    }
    // Laid out group by group, each group in configuration order: the chain of one hook is contiguous.
    std::uint32_t next = 0;
    auto collect = [&](Hook hook, std::uint8_t iface) {
        ChainList list{next, 0};
        for (const ChainConfig& c : config_.chains) {
            if (c.hook == hook && c.iface == iface) {
                chain_functions_[next++] = c.function;
                ++list.count;
            }
        }
        return list;
    };
    for (std::size_t i = 0; i < n; ++i) {
        for (Hook h : {Hook::Prerouting, Hook::Input, Hook::Output, Hook::Postrouting}) {
            ifaces_[i].chains[hook_index(h)] = collect(h, static_cast<std::uint8_t>(i));
            // The language: tracking is on for every Iface with a chain (and masquerade needs it).
            if (ifaces_[i].chains[hook_index(h)].count != 0) ifaces_[i].tracked = true;
        }
        if (config_.ifaces[i].conntrack || config_.ifaces[i].masquerade) ifaces_[i].tracked = true;
    }
    forward_chain_ = collect(Hook::Forward, no_iface);
    for (const ChainConfig& c : config_.chains) {
        if (c.hook == Hook::Forward && c.prepare != nullptr && forward_prepare_ == nullptr)
            forward_prepare_ = c.prepare;
    }
    if (forward_prepare_ != nullptr) {
        burst_.reset(new (std::nothrow_t{}) BurstState);
        if (!burst_) {
            console("appliance: out of memory for the chains\n");
            return false;
        }
    }
    return true;
}

bool Appliance::set_up_conntrack() {
    bool any = false;
    for (std::size_t i = 0; i < config_.ifaces.size(); ++i)
        any = any || ifaces_[i].tracked;
    if (!any) return true;
    const ConntrackConfig& c = config_.conntrack;
    table_ =
        conntrack::ConntrackTable::create(c.limit, conntrack::Timeouts::from(c), platform_.random_seed());
    if (!table_) {
        TextBuffer<200> t;
        t.add("appliance: Conntrack limit ").add_number(c.limit).add(" cannot be honoured: ");
        t.add(c.limit == 0                                     ? "a table of no connections tracks nothing"
              : c.limit > conntrack::ConntrackTable::max_limit ? "above the largest table (67108864)"
                                                               : "not enough memory");
        console(t.add('\n').view());
        return false;
    }
    tracker_.reset(new (std::nothrow_t{}) conntrack::Tracker(*table_, c.stateful_tcp));
    translator_.reset(new (std::nothrow_t{}) nat::Translator(*table_, platform_.random_seed()));
    if (!tracker_ || !translator_) {
        console("appliance: out of memory for conntrack\n");
        return false;
    }
    return true;
}

bool Appliance::set_up_syslog() {
    if (!config_.syslog.enabled) return true;
    TextBuffer<160> t;
    t.add("appliance: Syslog ")
        .add_ipv4(config_.syslog.address)
        .add(':')
        .add_number(config_.syslog.port)
        .add(": ");
    if (config_.syslog.address == 0 || config_.syslog.port == 0) {
        console(t.add("needs an IPv4 address and a port\n").view());
        return false;
    }
    syslog_.reset(new (std::nothrow_t{})
                      SyslogSender(stack_, net::Ipv4Address{config_.syslog.address}, config_.syslog.port));
    if (!syslog_) {
        console(t.add("out of memory\n").view());
        return false;
    }
    if (auto r = syslog_->open(); !r) {
        console(t.add("no UDP socket: ").add(net::to_string(r.error())).add('\n').view());
        return false;
    }
    return true;
}

void Appliance::on_timer(void* slot) {
    auto* s = static_cast<TimerSlot*>(slot);
    s->appliance->report(s->config->data, s->config->name);
}

void Appliance::on_housekeeping(void* self) {
    static_cast<Appliance*>(self)->housekeeping();
}

net::Instant Appliance::timer_now() const {
    const net::Instant stack_now = stack_.now();
    const auto clock = platform_.monotonic_ns();
    return clock && net::instant_from_ns(*clock) > stack_now ? net::instant_from_ns(*clock) : stack_now;
}

void Appliance::housekeeping() {
    // Bounded work per second; anything left is erased as found (find() treats expired entries as gone).
    if (table_) table_->expire(timer_now(), 4096);
    // net/ counts what its full tables and queues evict or refuse; a line a second says so, with how many.
    auto say = [&](const IfaceRuntime* rt, std::string_view what, std::size_t size, std::string_view done,
                   std::uint64_t count, std::uint64_t& seen, std::string_view unit) {
        if (count == seen) return;
        TextBuffer<240> t;
        t.add("appliance: ");
        if (rt != nullptr) t.add(rt->config->name).add(" (").add(rt->net->name()).add("): ");
        t.add(what).add(" full");
        if (size != 0) t.add(" (").add_number(size).add(')');
        t.add(", ").add(done).add(' ').add_number(count - seen);
        t.add(' ').add(unit).add(" in the last second\n");
        console(t.view());
        seen = count;
    };
    for (std::size_t i = 0; i < config_.ifaces.size(); ++i) {
        IfaceRuntime& rt = ifaces_[i];
        const net::InterfaceCounters& c = rt.net->counters();
        say(&rt, "ARP cache", net::ArpCache::capacity, "evicted", rt.net->arp().evicted(),
            rt.arp_evicted_seen, "neighbours");
        say(&rt, "ARP queue", net::ArpCache::queue_capacity, "dropped", c.drop(net::DropReason::ArpQueueFull),
            rt.arp_queue_full_seen, "packets waiting for their next hop");
        // The NIC's ring, and the send queue behind it when the Iface has one (its size, else none).
        say(&rt, "transmit queue", rt.net->send_queue_limit(), "dropped",
            c.drop(net::DropReason::TxQueueFull), rt.tx_queue_full_seen, "packets");
    }
    const net::StackCounters& s = stack_.counters();
    say(nullptr, "reassembly", net::Reassembler::slots, "dropped the fragments of",
        s.drop(net::DropReason::ReassemblyEvicted), reassembly_evicted_seen_, "incomplete datagrams");
    say(nullptr, "packet pool", stack_.pool().count(), "dropped", s.drop(net::DropReason::PoolExhausted),
        pool_exhausted_seen_, "packets");
}

bool Appliance::set_up_timers() {
    timers_.reset(new (std::nothrow_t{}) TimerSlot[config_.timers.size() + 1]);
    if (!timers_) {
        console("appliance: out of memory for the timers\n");
        return false;
    }
    for (std::size_t i = 0; i < config_.timers.size(); ++i) {
        const TimerConfig& t = config_.timers[i];
        if (t.interval_seconds == 0) {
            console(TextBuffer<160>().add("appliance: Timer ").add(t.name).add(": interval 0\n").view());
            return false;
        }
        timers_[i] = TimerSlot{this, &t, Platform::TimerId::none};
        timers_[i].id = platform_.start_periodic(t.interval_seconds, &Appliance::on_timer, &timers_[i]);
    }
    housekeeping_timer_ = platform_.start_periodic(1, &Appliance::on_housekeeping, this);
    return true;
}

void Appliance::print_summary() {
    for (std::size_t i = 0; i < config_.ifaces.size(); ++i) {
        const IfaceConfig& c = config_.ifaces[i];
        const IfaceRuntime& rt = ifaces_[i];
        TextBuffer<320> t;
        t.add("appliance: Iface ").add(c.name).add(" is ").add(rt.net->name());
        switch (c.source) {
        case AddressSource::Static:
            if (c.address == 0) {
                t.add(", no address");
            } else {
                t.add(", ").add_ipv4(c.address).add('/').add_number(rt.net->cidr().prefix_len);
            }
            break;
        case AddressSource::Dhcp:
            t.add(", dhcp");
            break;
        case AddressSource::DhcpWithFallback:
            t.add(", dhcp (fallback ").add_ipv4(c.address).add('/').add_ipv4(c.netmask).add(')');
            break;
        }
        if (c.gateway != 0) t.add(", gateway ").add_ipv4(c.gateway);
        // net/ has no resolver: the DNS server is recorded for the report, nothing asks it.
        if (c.dns != 0) t.add(", dns ").add_ipv4(c.dns).add(" (unused)");
        t.add(", mtu ").add_number(rt.mtu != 0 ? rt.mtu : rt.net->mtu());
        if (c.buffer_limit != 0) t.add(", buffer_limit ").add_number(c.buffer_limit);
        if (c.send_queue_limit != 0) t.add(", send_queue_limit ").add_number(c.send_queue_limit);
        if (c.masquerade) t.add(", masquerade");
        if (c.forwarding) t.add(", forwarding");
        if (rt.tracked) t.add(", conntrack");
        console(t.add('\n').view());
    }
    TextBuffer<320> t;
    t.add("appliance: ").add_number(config_.routes.size()).add(" routes, ");
    t.add(config_.gateway ? "forwarding on" : "forwarding off");
    if (table_) {
        t.add(", conntrack ").add_number(table_->capacity()).add(" connections (");
        t.add_bytes(table_->memory_bytes()).add(config_.conntrack.stateful_tcp ? ", stateful tcp)" : ")");
    }
    if (syslog_)
        t.add(", syslog to ").add_ipv4(config_.syslog.address).add(':').add_number(config_.syslog.port);
    t.add(", ").add_number(config_.timers.size()).add(config_.timers.size() == 1 ? " timer\n" : " timers\n");
    console(t.view());
}

void Appliance::report_address(net::Interface& iface, net::DhcpState state) {
    const std::uint8_t index = iface_of_net_[iface.index()];
    if (index == no_iface) return;
    TextBuffer<200> t;
    t.add("appliance: Iface ").add(config_.ifaces[index].name).add(": dhcp ").add(net::to_string(state));
    if (iface.is_configured()) {
        t.add(", ").add_ipv4(iface.address().value).add('/').add_number(iface.cidr().prefix_len);
        if (!iface.gateway().is_unspecified()) t.add(", gateway ").add_ipv4(iface.gateway().value);
    } else {
        t.add(", no address");
    }
    console(t.add('\n').view());
}

} // namespace appliance
