// log(...) and syslog(...) actions, and the appliance's own console and syslog messages.
#include "../appliance_internal.hpp"

#include "appliance/log_format.hpp"

namespace appliance {

void Appliance::console(std::string_view line) {
    platform_.print(line);
}

void Appliance::add_rule_location(Text& out, std::uint32_t rule) const {
    if (rule >= config_.rules.size()) {
        out.add("rule ").add_number(rule);
        return;
    }
    const RuleInfo& r = config_.rules[rule];
    out.add(config_.source_file != nullptr ? config_.source_file : "").add(':').add_number(r.line).add(':');
    out.add_number(r.column);
}

// At most one line a second for each kind of warning a flood could repeat; the rest are counted and the
// count is told with the next line.
void Appliance::warn_limited(std::uint64_t& last_second, std::uint64_t& suppressed, std::string_view text) {
    const auto second = static_cast<std::uint64_t>(net::to_ns(stack_.now()) / 1'000'000'000);
    if (second == last_second) {
        ++suppressed;
        return;
    }
    last_second = second;
    TextBuffer<320> line;
    // One line: the text's own trailing newline (log arguments often end with one) is not repeated.
    while (!text.empty() && text.back() == '\n')
        text.remove_suffix(1);
    line.add("appliance: ").add(text);
    if (suppressed != 0) line.add(" (").add_number(suppressed).add(" more since the last such line)");
    suppressed = 0;
    line.add('\n');
    console(line.view());
}

void Appliance::log_action(const RulePacket& rp, std::uint32_t, std::span<const LogArg> args) {
    ++counters_.logs;
    TextBuffer<512> t;
    format_log(t, rp, args, config_.ifaces);
    if (t.truncated()) {
        t.cut(t.size() - 4);
        t.add("...\n");
    }
    // One console line per action: log("x") and log("x\n") print the same.
    if (t.empty() || t.view().back() != '\n') t.add('\n');
    console(t.view());
}

void Appliance::syslog_action(const RulePacket& rp, std::uint32_t rule, Severity severity,
                              std::span<const LogArg> args) {
    ++counters_.syslogs;
    if (syslog_depth_ > 0) {
        // A rule on the way out matched our own syslog datagram: sending again would never end.
        ++counters_.syslog_recursion;
        return;
    }
    TextBuffer<512> text;
    format_log(text, rp, args, config_.ifaces);
    TextBuffer<96> location;
    add_rule_location(location, rule);
    const char* function = rule < config_.rules.size() && config_.rules[rule].function != nullptr
                               ? config_.rules[rule].function
                               : "";
    const SyslogParam params[] = {{"location", location.view()}, {"function", function}};
    send_syslog(severity, "rule", params, "rule@32473", text.view());
}

void Appliance::send_syslog(Severity severity, std::string_view msgid, std::span<const SyslogParam> params,
                            std::string_view sd_id, std::string_view text) {
    if (!syslog_) {
        // Without a Syslog element the messages go to the console (the language's rule).
        TextBuffer<640> line;
        line.add("syslog ").add(to_string(severity)).add(": ").add(text);
        if (line.empty() || line.view().back() != '\n') line.add('\n');
        console(line.view());
        return;
    }
    TextBuffer<SyslogSender::max_message> message;
    TextBuffer<16> host;
    const net::Ipv4Address source = syslog_->source_address();
    if (!source.is_unspecified()) host.add_ipv4(source.value);
    SyslogMessage m;
    m.severity = severity;
    m.time_ns = platform_.wall_clock_ns();
    m.hostname = host.view();
    m.msgid = msgid;
    m.sd_id = sd_id;
    m.params = params;
    m.msg = text;
    format_rfc5424(message, m);
    ++syslog_depth_;
    const bool sent = syslog_->send(message.view());
    --syslog_depth_;
    if (sent) return;
    TextBuffer<640> t;
    t.add("syslog: cannot send to ").add_ipv4(syslog_->collector().address.value).add(':');
    t.add_number(syslog_->collector().port).add(" (").add(net::to_string(syslog_->last_error())).add("): ");
    t.add(text);
    warn_limited(syslog_log_second_, syslog_log_suppressed_, t.view());
}

} // namespace appliance
