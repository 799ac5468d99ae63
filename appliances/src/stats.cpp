// What Timer elements print every interval: the data items they name, one console line each (and, with a
// Syslog element, one RFC 5424 message each, MSGID "stats").
#include "appliance_internal.hpp"

#include "appliance/log_format.hpp"

namespace appliance {

namespace {

void add_seconds(Text& t, std::int64_t ns) {
    t.add_number(static_cast<std::uint64_t>(ns / 1'000'000'000)).add('.');
    t.add_number(static_cast<std::uint64_t>(ns % 1'000'000'000 / 1'000'000), 3).add(" s");
}

void add_drops(Text& t, const net::DropCounters& drops) {
    bool first = true;
    for (std::size_t r = 0; r < net::drop_reason_count; ++r) {
        if (drops[r] == 0) continue;
        t.add(first ? " (" : ", ")
            .add(net::to_string(static_cast<net::DropReason>(r)))
            .add(' ')
            .add_number(drops[r]);
        first = false;
    }
    if (!first) t.add(')');
}

} // namespace

void Appliance::report_line(std::string_view line) {
    TextBuffer<640> t;
    t.add(line).add('\n');
    console(t.view());
    if (syslog_) send_syslog(Severity::Info, "stats", {}, "", line);
}

void Appliance::report(std::uint32_t data, std::string_view name) {
    auto line = [&](auto&& fill) {
        TextBuffer<600> t;
        t.add('[').add(name).add("] ");
        fill(t);
        report_line(t.view());
    };
    if (data & timer_timestamp) {
        line([&](Text& t) {
            t.add("time ");
            if (const auto wall = platform_.wall_clock_ns()) {
                add_rfc3339(t, *wall);
            } else {
                t.add("unknown (no wall clock)");
            }
            t.add(", up ");
            add_seconds(t, net::to_ns(timer_now()));
        });
    }
    if (data & timer_stats) {
        for (std::size_t i = 0; i < config_.ifaces.size(); ++i) {
            const net::InterfaceCounters& c = ifaces_[i].net->counters();
            line([&](Text& t) {
                t.add("iface ")
                    .add(config_.ifaces[i].name)
                    .add(" (")
                    .add(ifaces_[i].net->name())
                    .add("): rx ");
                t.add_number(c.rx_packets).add(" packets ").add_bytes(c.rx_bytes).add(", tx ");
                t.add_number(c.tx_packets).add(" packets ").add_bytes(c.tx_bytes).add(", drops ");
                t.add_number(c.total_drops());
                add_drops(t, c.drops);
                t.add(", arp evictions ").add_number(ifaces_[i].net->arp().evicted());
            });
        }
        const net::StackCounters& s = stack_.counters();
        line([&](Text& t) {
            t.add("stack: forwarded ").add_number(s.forwarded).add(", delivered ").add_number(s.delivered);
            t.add(", icmp errors sent ").add_number(s.icmp_errors_sent).add(" (rate-limited ");
            t.add_number(s.icmp_rate_limited);
            t.add("), tcp resets sent ").add_number(s.tcp_resets_sent);
            t.add(", echo replies ")
                .add_number(s.echo_replies_sent)
                .add(", drops ")
                .add_number(s.total_drops());
        });
        line([&](Text& t) {
            const ApplianceCounters& c = counters_;
            t.add("firewall: accepted ").add_number(c.accepted).add(", dropped ").add_number(c.dropped);
            t.add(", rejected ")
                .add_number(c.rejected)
                .add(" (resets sent ")
                .add_number(responder_.counters().resets);
            t.add("), malformed ")
                .add_number(c.malformed)
                .add(", unknown iface ")
                .add_number(c.unknown_interface);
            t.add(", not forwarding ")
                .add_number(c.not_forwarding)
                .add(", over mtu ")
                .add_number(c.mtu_exceeded);
            t.add(", logs ").add_number(c.logs).add(", syslogs ").add_number(c.syslogs);
            if (syslog_)
                t.add(" (sent ")
                    .add_number(syslog_->sent())
                    .add(", failed ")
                    .add_number(syslog_->failed())
                    .add(')');
        });
        line([&](Text& t) {
            const auto& p = counters_.packets;
            t.add("hooks: prerouting ").add_number(p[hook_index(Hook::Prerouting)]).add(", input ");
            t.add_number(p[hook_index(Hook::Input)])
                .add(", forward ")
                .add_number(p[hook_index(Hook::Forward)]);
            t.add(", output ").add_number(p[hook_index(Hook::Output)]).add(", postrouting ");
            t.add_number(p[hook_index(Hook::Postrouting)]);
            if (forward_prepare_ != nullptr)
                t.add("; forward lookups prepared ")
                    .add_number(counters_.prepared_lookups)
                    .add(", used ")
                    .add_number(counters_.prepared_used);
        });
        line([&](Text& t) { report_conntrack(t); });
        line([&](Text& t) { report_rules(t); });
    }
    if (data & timer_memory) {
        line([&](Text& t) {
            t.add("memory: ");
            if (const auto m = platform_.memory()) {
                t.add("ram ").add_bytes(m->ram_bytes).add(", free ").add_bytes(m->free_bytes).add(", heap ");
                t.add_bytes(m->heap_bytes).add(", page tables ").add_bytes(m->page_table_bytes).add("; ");
            } else {
                t.add("machine figures not available on this platform; ");
            }
            t.add("packet buffers ").add_number(stack_.pool().available()).add(" of ");
            t.add_number(stack_.pool().count()).add(" free");
            if (table_) t.add(", conntrack table ").add_bytes(table_->memory_bytes());
        });
    }
    if (data & timer_cpu) {
        line([&](Text& t) {
            const auto now = platform_.loop();
            if (!now) {
                t.add("cpu: not available on this platform");
                return;
            }
            const LoopFigures before = last_loop_.value_or(LoopFigures{});
            const std::uint64_t iterations = now->iterations - before.iterations;
            const std::uint64_t idle = now->idle_waits - before.idle_waits;
            last_loop_ = now;
            // os/ counts loop iterations and halts, not time: the busy share is a share of iterations.
            t.add("cpu: event loop ").add_number(iterations).add(" iterations, ").add_number(idle);
            t.add(" ended idle, busy in ")
                .add_number(iterations == 0 ? 0 : (iterations - idle) * 100 / iterations);
            t.add("% of iterations since the last report");
        });
    }
    if (data & timer_timers) {
        line([&](Text& t) {
            t.add("timers: ");
            if (const auto n = platform_.active_timers()) {
                t.add_number(*n).add(" active; ");
            }
            t.add("this appliance's:");
            for (const TimerConfig& tc : config_.timers)
                t.add(' ').add(tc.name).add(" every ").add_number(tc.interval_seconds).add(" s,");
            t.add(" housekeeping (")
                .add(table_ ? "conntrack expiry, " : "")
                .add("full-table warnings) every 1 s");
        });
    }
    if (data & timer_lb) line([&](Text& t) { t.add("lb: no load balancer"); });
    if (data & timer_stack_sampling) {
        line([&](Text& t) {
            t.add("stack-sampling: not available (os/ has no sampling interrupt to take stack samples from)");
        });
    }
}

void Appliance::report_conntrack(Text& t) const {
    if (!table_) {
        t.add("conntrack: off (no Iface is tracked)");
        return;
    }
    const auto& c = table_->counters();
    const auto& k = tracker_->counters();
    t.add("conntrack: ")
        .add_number(table_->size())
        .add(" of ")
        .add_number(table_->capacity())
        .add(" entries");
    bool first = true;
    for (std::size_t i = 0; i < conntrack::timeout_class_count; ++i) {
        const auto cls = static_cast<conntrack::TimeoutClass>(i);
        if (table_->size_of(cls) == 0) continue;
        t.add(first ? " (" : ", ").add(conntrack::to_string(cls)).add(' ').add_number(table_->size_of(cls));
        first = false;
    }
    if (!first) t.add(')');
    t.add(", created ").add_number(c.inserted).add(", expired ").add_number(c.expired).add(", evicted ");
    t.add_number(c.evicted).add(", invalid ").add_number(k.invalid).add(", related ").add_number(k.related);
    t.add(", fragments forgotten ").add_number(counters_.fragments_forgotten);
    const auto& n = translator_->counters();
    t.add("; nat bindings ").add_number(n.bindings).add(", ports changed ").add_number(n.ports_changed);
    t.add(", refused ").add_number(n.refused);
}

void Appliance::report_rules(Text& t) const {
    constexpr std::size_t shown = 16;
    t.add("rules:");
    std::size_t hit = 0;
    for (std::uint32_t r = 0; r < config_.rules.size(); ++r) {
        if (rule_hits_[r] == 0) continue;
        if (++hit > shown) continue;
        t.add(hit == 1 ? " " : ", ");
        add_rule_location(t, r);
        if (config_.rules[r].function != nullptr) t.add(" (").add(config_.rules[r].function).add(')');
        t.add(' ').add_number(rule_hits_[r]);
    }
    if (hit == 0) t.add(" no rule hit yet");
    if (hit > shown) t.add(" and ").add_number(hit - shown).add(" more rules hit");
    if (counters_.unknown_rule != 0)
        t.add(" (").add_number(counters_.unknown_rule).add(" hits of unknown rules)");
}

} // namespace appliance
