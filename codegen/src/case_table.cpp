#include "codegen/case_table.hpp"

#include "codegen/flatten.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace codegen {

using nacl::ir::Field;

namespace {

struct Cell {
    std::string text;
    uint32_t column = 0; // 1-based, in characters
};

// Splits a line at tabs and spaces, dropping a `#` comment.
std::vector<Cell> split(const std::string& line) {
    std::vector<Cell> cells;
    uint32_t column = 0;
    size_t i = 0;
    while (i < line.size()) {
        unsigned char c = static_cast<unsigned char>(line[i]);
        if (c == '#') break;
        if (c == ' ' || c == '\t' || c == '\r') {
            ++i;
            ++column;
            continue;
        }
        Cell cell{{}, column + 1};
        while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '#') {
            if ((static_cast<unsigned char>(line[i]) & 0xc0) != 0x80) ++column; // count characters, not bytes
            cell.text += line[i++];
        }
        cells.push_back(std::move(cell));
    }
    return cells;
}

const std::vector<std::string> kColumns = {"chain",     "iif",   "oif",   "proto",  "saddr",
                                           "daddr",     "sport", "dport", "flags",  "icmp_type",
                                           "icmp_code", "ct",    "ttl",   "length", "expect"};
const std::vector<std::string> kRequired = {"chain", "proto", "saddr", "daddr", "expect"};

std::optional<uint64_t> number(const std::string& s, uint64_t max) {
    if (s.empty() || s.size() > 10 ||
        !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    uint64_t v = std::stoull(s);
    if (v > max) return std::nullopt;
    return v;
}

std::optional<uint32_t> ipv4(const std::string& s) {
    uint32_t out = 0;
    size_t start = 0;
    for (int part = 0; part < 4; ++part) {
        size_t dot = s.find('.', start);
        if ((part < 3) != (dot != std::string::npos)) return std::nullopt;
        auto v = number(s.substr(start, dot == std::string::npos ? std::string::npos : dot - start), 255);
        if (!v) return std::nullopt;
        out = out << 8 | uint32_t(*v);
        start = dot + 1;
    }
    return out;
}

const std::map<std::string, uint64_t> kFlags = {{"fin", 0x01}, {"syn", 0x02}, {"rst", 0x04},
                                                {"psh", 0x08}, {"ack", 0x10}, {"urg", 0x20},
                                                {"ece", 0x40}, {"cwr", 0x80}, {"ns", 0x100}};
const std::map<std::string, uint64_t> kIcmpTypes = {{"echo-reply", 0},         {"destination-unreachable", 3},
                                                    {"redirect", 5},           {"echo-request", 8},
                                                    {"time-exceeded", 11},     {"parameter-problem", 12},
                                                    {"timestamp-request", 13}, {"timestamp-reply", 14}};
const std::map<std::string, uint64_t> kStates = {
    {"new", 0}, {"established", 1}, {"related", 2}, {"invalid", 3}, {"untracked", 4}};

std::string lower(std::string s) {
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

struct Parser {
    const nacl::ir::Program& program;
    CaseTableError& error;

    bool fail(uint32_t line, uint32_t column, std::string message) {
        error = {line, column, std::move(message)};
        return false;
    }

    std::optional<size_t> iface(const std::string& name) {
        for (size_t i = 0; i < program.interfaces.size(); ++i)
            if (program.interfaces[i].name == name) return i;
        return std::nullopt;
    }

    bool chain(const Cell& cell, uint32_t line, TestCase& c) {
        c.chain = cell.text;
        if (cell.text == "forward") {
            if (!program.gateway) return fail(line, cell.column, "no Gateway, so there is no forward chain");
            auto* chain = program.find_chain(nacl::ir::Hook::Forward, "");
            c.empty_hook = chain == nullptr;
            c.index = chain ? uint32_t(chain - program.chains.data()) : 0;
            return true;
        }
        auto dot = cell.text.find('.');
        if (dot != std::string::npos) {
            std::string name = cell.text.substr(0, dot), hook = lower(cell.text.substr(dot + 1));
            if (!iface(name)) return fail(line, cell.column, "unknown Iface '" + name + "'");
            static const std::map<std::string, nacl::ir::Hook> hooks = {
                {"prerouting", nacl::ir::Hook::Prerouting},
                {"input", nacl::ir::Hook::Input},
                {"output", nacl::ir::Hook::Output},
                {"postrouting", nacl::ir::Hook::Postrouting}};
            auto h = hooks.find(hook);
            if (h == hooks.end())
                return fail(line, cell.column + uint32_t(dot) + 1,
                            "unknown hook '" + hook +
                                "' (expected prerouting, input, output or postrouting)");
            auto* chain = program.find_chain(h->second, name);
            c.empty_hook = chain == nullptr;
            c.index = chain ? uint32_t(chain - program.chains.data()) : 0;
            return true;
        }
        auto functions = top_level_functions(program);
        for (size_t i = 0; i < functions.size(); ++i) {
            if (program.functions[functions[i]].name == cell.text) {
                c.is_chain = false;
                c.index = uint32_t(i);
                return true;
            }
        }
        return fail(line, cell.column,
                    "'" + cell.text +
                        "' is neither a hook (forward, IFACE.input, ...) nor a top-level Filter::IP");
    }

    bool value(const std::string& column, const Cell& cell, uint32_t line, TestCase& c, uint8_t protocol) {
        auto& p = c.packet;
        const std::string& s = cell.text;
        auto bad = [&](const std::string& what) {
            return fail(line, cell.column, "bad " + column + " '" + s + "': " + what);
        };
        if (column == "iif" || column == "oif") {
            if (!iface(s)) return bad("not an Iface");
            (column == "iif" ? p.iif : p.oif) = s;
        } else if (column == "saddr" || column == "daddr") {
            auto a = ipv4(s);
            if (!a) return bad("expected an IPv4 address");
            p.set(column == "saddr" ? Field::IpSaddr : Field::IpDaddr, *a);
        } else if (column == "sport" || column == "dport") {
            auto v = number(s, 65535);
            if (!v) return bad("expected a port 0-65535");
            bool src = column == "sport";
            if (protocol == 6)
                p.set(src ? Field::TcpSport : Field::TcpDport, *v);
            else if (protocol == 17)
                p.set(src ? Field::UdpSport : Field::UdpDport, *v);
            else
                return bad("ports exist for tcp and udp only");
        } else if (column == "flags") {
            if (protocol != 6) return bad("flags exist for tcp only");
            uint64_t flags = 0;
            size_t start = 0;
            for (;;) {
                size_t comma = s.find(',', start);
                std::string name =
                    lower(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
                auto f = kFlags.find(name);
                if (f == kFlags.end())
                    return bad("expected flags like syn,ack (fin syn rst psh ack urg ece cwr ns)");
                flags |= f->second;
                if (comma == std::string::npos) break;
                start = comma + 1;
            }
            p.set(Field::TcpFlags, flags);
        } else if (column == "icmp_type" || column == "icmp_code") {
            if (protocol != 1) return bad("exists for icmp only");
            std::optional<uint64_t> v = number(s, 255);
            if (!v && column == "icmp_type") {
                auto t = kIcmpTypes.find(lower(s));
                if (t != kIcmpTypes.end()) v = t->second;
            }
            if (!v)
                return bad("expected a number 0-255" +
                           std::string(column == "icmp_type" ? " or a type name" : ""));
            p.set(column == "icmp_type" ? Field::IcmpType : Field::IcmpCode, *v);
        } else if (column == "ct") {
            auto st = kStates.find(lower(s));
            if (st == kStates.end()) return bad("expected new, established, related, invalid or untracked");
            p.set(Field::CtState, st->second);
        } else if (column == "ttl") {
            auto v = number(s, 255);
            if (!v) return bad("expected a number 0-255");
            p.set(Field::IpTtl, *v);
        } else if (column == "length") {
            auto v = number(s, 65535);
            if (!v) return bad("expected a number 0-65535");
            p.set(Field::IpLength, *v);
            if (protocol == 17) p.set(Field::UdpLength, *v >= 20 ? *v - 20 : 0);
        } else if (column == "expect") {
            std::string v = lower(s);
            if (v == "accept")
                c.expect = nacl::ir::Verdict::Accept;
            else if (v == "drop")
                c.expect = nacl::ir::Verdict::Drop;
            else if (v == "reject")
                c.expect = nacl::ir::Verdict::Reject;
            else
                return bad("expected accept, drop or reject");
        }
        return true;
    }
};

} // namespace

std::optional<std::vector<TestCase>> parse_case_table(const nacl::ir::Program& program,
                                                      const std::string& text, CaseTableError& error) {
    Parser parser{program, error};
    std::vector<std::string> header;
    std::vector<TestCase> cases;
    uint32_t line_number = 0;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        start = end + 1;
        ++line_number;
        auto cells = split(line);
        if (cells.empty()) {
            if (end == text.size()) break;
            continue;
        }
        if (header.empty()) {
            for (auto& cell : cells) {
                std::string name = lower(cell.text);
                if (std::find(kColumns.begin(), kColumns.end(), name) == kColumns.end()) {
                    parser.fail(line_number, cell.column,
                                "unknown column '" + cell.text +
                                    "' (columns: chain iif oif proto saddr daddr sport dport flags icmp_type "
                                    "icmp_code ct ttl length expect)");
                    return std::nullopt;
                }
                if (std::find(header.begin(), header.end(), name) != header.end()) {
                    parser.fail(line_number, cell.column, "column '" + name + "' appears twice");
                    return std::nullopt;
                }
                header.push_back(name);
            }
            for (auto& required : kRequired) {
                if (std::find(header.begin(), header.end(), required) == header.end()) {
                    parser.fail(line_number, 1, "the header has no '" + required + "' column (required)");
                    return std::nullopt;
                }
            }
            continue;
        }
        if (cells.size() != header.size()) {
            uint32_t column =
                cells.size() > header.size() ? cells[header.size()].column : cells.back().column;
            parser.fail(line_number, column,
                        "expected " + std::to_string(header.size()) + " fields (one per column), found " +
                            std::to_string(cells.size()));
            return std::nullopt;
        }
        auto cell_of = [&](const std::string& name) -> const Cell* {
            auto it = std::find(header.begin(), header.end(), name);
            if (it == header.end()) return nullptr;
            const Cell& c = cells[size_t(it - header.begin())];
            return c.text == "-" ? nullptr : &c;
        };
        for (auto& required : kRequired) {
            if (!cell_of(required)) {
                auto it = std::find(header.begin(), header.end(), required);
                parser.fail(line_number, cells[size_t(it - header.begin())].column,
                            "'" + required + "' is required");
                return std::nullopt;
            }
        }
        // The protocol first: ports, flags and ICMP fields depend on it.
        const Cell& proto = *cell_of("proto");
        std::optional<uint64_t> protocol = number(proto.text, 255);
        std::string p = lower(proto.text);
        if (p == "tcp") protocol = 6;
        if (p == "udp") protocol = 17;
        if (p == "icmp") protocol = 1;
        if (!protocol) {
            parser.fail(line_number, proto.column,
                        "bad proto '" + proto.text + "': expected tcp, udp, icmp or 0-255");
            return std::nullopt;
        }
        TestCase c;
        c.line = line_number;
        c.text = line.substr(0, line.find('#'));
        while (!c.text.empty() && (c.text.back() == ' ' || c.text.back() == '\t' || c.text.back() == '\r'))
            c.text.pop_back();
        uint8_t protocol8 = static_cast<uint8_t>(*protocol);
        c.packet = nacl::ir::Packet::make(protocol8, 0, 0);
        // Defaults: the first Iface, TCP syn, echo-request, the smallest valid length.
        if (!program.interfaces.empty()) c.packet.iif = c.packet.oif = program.interfaces.front().name;
        uint64_t transport = protocol8 == 6 ? 20 : (protocol8 == 17 || protocol8 == 1) ? 8 : 0;
        c.packet.set(Field::IpLength, 20 + transport);
        if (protocol8 == 6) {
            c.packet.set(Field::TcpFlags, 0x02);
            c.packet.set(Field::TcpDoff, 5);
        }
        if (protocol8 == 17) c.packet.set(Field::UdpLength, 8);
        if (protocol8 == 1) c.packet.set(Field::IcmpType, 8);
        if (!parser.chain(*cell_of("chain"), line_number, c)) return std::nullopt;
        for (size_t i = 0; i < header.size(); ++i) {
            if (header[i] == "chain" || header[i] == "proto" || cells[i].text == "-") continue;
            if (!parser.value(header[i], cells[i], line_number, c, protocol8)) return std::nullopt;
        }
        cases.push_back(std::move(c));
    }
    if (header.empty()) {
        error = {1, 1, "the table is empty: expected a header line naming the columns"};
        return std::nullopt;
    }
    return cases;
}

} // namespace codegen
