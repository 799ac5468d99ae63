#include "appliance/syslog.hpp"

namespace appliance {

namespace {

// RFC 5424 6: header fields are PRINTUSASCII (33-126), with a length limit each.
void add_header_field(Text& out, std::string_view value, std::size_t limit) {
    if (value.empty()) {
        out.add('-');
        return;
    }
    for (std::size_t i = 0; i < value.size() && i < limit; ++i) {
        const char c = value[i];
        out.add(c >= 33 && c <= 126 ? c : '_');
    }
}

// RFC 5424 6.3.3: inside PARAM-VALUE, '"', '\' and ']' are escaped with '\'.
void add_param_value(Text& out, std::string_view value) {
    for (char c : value) {
        if (c == '"' || c == '\\' || c == ']') out.add('\\');
        out.add(c);
    }
}

bool leap(std::int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

} // namespace

void add_rfc3339(Text& out, std::int64_t unix_ns) {
    if (unix_ns < 0) unix_ns = 0;
    const std::int64_t secs = unix_ns / 1'000'000'000;
    const std::int64_t micros = (unix_ns % 1'000'000'000) / 1000;
    std::int64_t days = secs / 86400;
    const std::int64_t in_day = secs % 86400;
    std::int64_t year = 1970;
    while (days >= (leap(year) ? 366 : 365)) {
        days -= leap(year) ? 366 : 365;
        ++year;
    }
    static constexpr int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int month = 0;
    while (month < 11) {
        const int n = month_days[month] + (month == 1 && leap(year) ? 1 : 0);
        if (days < n) break;
        days -= n;
        ++month;
    }
    out.add_number(static_cast<std::uint64_t>(year), 4).add('-').add_number(month + 1, 2).add('-');
    out.add_number(static_cast<std::uint64_t>(days + 1), 2).add('T');
    out.add_number(static_cast<std::uint64_t>(in_day / 3600), 2).add(':');
    out.add_number(static_cast<std::uint64_t>(in_day / 60 % 60), 2).add(':');
    out.add_number(static_cast<std::uint64_t>(in_day % 60), 2).add('.');
    out.add_number(static_cast<std::uint64_t>(micros), 6).add('Z');
}

void format_rfc5424(Text& out, const SyslogMessage& m) {
    // RFC 5424 6.2.1: PRI = facility * 8 + severity; VERSION 1.
    out.add('<').add_number(std::uint64_t{m.facility} * 8 + static_cast<std::uint8_t>(m.severity)).add(">1 ");
    if (m.time_ns) {
        add_rfc3339(out, *m.time_ns);
    } else {
        out.add('-');
    }
    out.add(' ');
    add_header_field(out, m.hostname, 255);
    out.add(' ');
    add_header_field(out, m.app_name, 48);
    out.add(" - "); // PROCID: one appliance, one process
    add_header_field(out, m.msgid, 32);
    out.add(' ');
    if (m.sd_id.empty()) {
        out.add('-');
    } else {
        out.add('[');
        add_header_field(out, m.sd_id, 32);
        for (const SyslogParam& p : m.params) {
            out.add(' ');
            add_header_field(out, p.name, 32);
            out.add("=\"");
            add_param_value(out, p.value);
            out.add('"');
        }
        out.add(']');
    }
    if (m.msg.empty()) return;
    out.add(' ');
    // A message is one line for collectors that split on newlines; the text's own trailing newline (log
    // arguments often end with "\n") is not part of it.
    std::string_view msg = m.msg;
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r'))
        msg.remove_suffix(1);
    for (char c : msg)
        out.add(c == '\n' || c == '\r' ? ' ' : c);
}

bool SyslogSender::send(std::string_view message) {
    auto r =
        socket_.send_to(collector_, std::as_bytes(std::span<const char>(message.data(), message.size())));
    if (r) {
        ++sent_;
        return true;
    }
    ++failed_;
    last_error_ = r.error();
    return false;
}

net::Ipv4Address SyslogSender::source_address() const {
    auto route = stack_.route_to(collector_.address);
    return route ? route.value().source : net::Ipv4Address{};
}

} // namespace appliance
