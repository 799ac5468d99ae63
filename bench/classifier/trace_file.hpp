// The rule set's trace (bench/ruleset/generate.py --outputs trace): one packet per line of a `naclc test`
// case table, `chain proto saddr daddr sport dport expect`, the comment naming the first matching rule.
#pragma once

#include "net/ipv4_address.hpp"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace bench {

struct TraceLine {
    std::uint8_t protocol = 0;
    std::uint32_t saddr = 0, daddr = 0; // host order
    std::uint16_t sport = 0, dport = 0;
    bool accept = false;
    long rule = -1; // the first matching rule of the generator's model, -1: none (the default verdict)
};

// A number of at most `max`, the whole of `text`; nothing else.
inline bool parse_number(const std::string& text, unsigned long max, unsigned long& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size() && !text.empty() && out <= max;
}

// Empty, with a message naming the file and line, when the file cannot be read, has no header line, or has a
// line that is not `chain proto saddr daddr sport dport accept|drop`.
inline std::vector<TraceLine> read_trace(const char* path) {
    std::vector<TraceLine> lines;
    std::ifstream in(path);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", path);
        return lines;
    }
    std::string line;
    bool header = false;
    for (int number = 1; std::getline(in, line); ++number) {
        auto hash = line.find('#');
        std::string comment = hash == std::string::npos ? "" : line.substr(hash + 1);
        std::istringstream fields(line.substr(0, hash));
        std::string chain, proto, saddr, daddr, sport, dport, expect, extra;
        if (!(fields >> chain)) continue;
        if (!header) { // chain proto saddr daddr sport dport expect
            header = true;
            continue;
        }
        const auto bad = [&](const char* what) {
            std::fprintf(stderr, "%s:%d: %s: %s\n", path, number, what, line.c_str());
            return std::vector<TraceLine>{};
        };
        if (!(fields >> proto >> saddr >> daddr >> sport >> dport >> expect) || fields >> extra)
            return bad("not seven fields");
        TraceLine t;
        unsigned long n = 0;
        if (proto == "tcp" || proto == "udp" || proto == "icmp")
            t.protocol = proto == "tcp" ? 6 : proto == "udp" ? 17 : 1;
        else if (parse_number(proto, 255, n))
            t.protocol = static_cast<std::uint8_t>(n);
        else
            return bad("not a protocol");
        const auto src = net::Ipv4Address::parse(saddr), dst = net::Ipv4Address::parse(daddr);
        if (!src || !dst) return bad("not an IPv4 address");
        t.saddr = src->value;
        t.daddr = dst->value;
        if (t.protocol == 6 || t.protocol == 17) {
            if (!parse_number(sport, 65535, n)) return bad("not a port");
            t.sport = static_cast<std::uint16_t>(n);
            if (!parse_number(dport, 65535, n)) return bad("not a port");
            t.dport = static_cast<std::uint16_t>(n);
        }
        if (expect != "accept" && expect != "drop") return bad("expects neither accept nor drop");
        t.accept = expect == "accept";
        std::istringstream c(comment);
        std::string word;
        if (c >> word && word == "rule") c >> t.rule;
        lines.push_back(t);
    }
    if (!header) {
        std::fprintf(stderr, "%s: no header line\n", path);
        lines.clear();
    }
    return lines;
}

} // namespace bench
