// The rule set's trace (bench/ruleset/generate.py --outputs trace): one packet per line of a `naclc test`
// case table, `chain proto saddr daddr sport dport expect`, the comment naming the first matching rule.
#pragma once

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

inline std::uint32_t parse_address(const std::string& text) {
    unsigned a, b, c, d;
    if (std::sscanf(text.c_str(), "%u.%u.%u.%u", &a, &b, &c, &d) != 4) return 0;
    return a << 24 | b << 16 | c << 8 | d;
}

// Empty when the file cannot be read or has no header line.
inline std::vector<TraceLine> read_trace(const char* path) {
    std::vector<TraceLine> lines;
    std::ifstream in(path);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", path);
        return lines;
    }
    std::string line;
    bool header = false;
    while (std::getline(in, line)) {
        auto hash = line.find('#');
        std::string comment = hash == std::string::npos ? "" : line.substr(hash + 1);
        std::istringstream fields(line.substr(0, hash));
        std::string chain, proto, saddr, daddr, sport, dport, expect;
        if (!(fields >> chain)) continue;
        if (!header) { // chain proto saddr daddr sport dport expect
            header = true;
            continue;
        }
        fields >> proto >> saddr >> daddr >> sport >> dport >> expect;
        TraceLine t;
        t.protocol = proto == "tcp"    ? 6
                     : proto == "udp"  ? 17
                     : proto == "icmp" ? 1
                                       : std::uint8_t(std::stoi(proto));
        t.saddr = parse_address(saddr);
        t.daddr = parse_address(daddr);
        if (t.protocol == 6 || t.protocol == 17) {
            t.sport = std::uint16_t(std::stoul(sport));
            t.dport = std::uint16_t(std::stoul(dport));
        }
        t.accept = expect == "accept";
        std::istringstream c(comment);
        std::string word;
        if (c >> word && word == "rule") c >> t.rule;
        lines.push_back(t);
    }
    if (!header) lines.clear();
    return lines;
}

} // namespace bench
