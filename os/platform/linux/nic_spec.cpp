#include "nic_spec.hpp"

#include <net/if.h>

namespace os::linux_nic {

std::optional<MacAddress> parse_mac(std::string_view text) {
    const auto mac = MacAddress::parse(text);
    if (!mac || mac->is_multicast() || mac->is_zero()) return std::nullopt;
    return mac;
}

std::optional<NicSpec> parse_nic_spec(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const std::string_view kind = text.substr(0, colon);
    std::string_view rest = text.substr(colon + 1);
    NicSpec spec;
    if (kind == "tap") {
        spec.kind = Kind::tap;
    } else if (kind == "packet") {
        spec.kind = Kind::packet;
    } else if (kind == "xdp") {
        spec.kind = Kind::xdp;
    } else {
        return std::nullopt;
    }
    const auto comma = rest.find(',');
    spec.interface = std::string(rest.substr(0, comma));
    if (spec.interface.empty() || spec.interface.size() >= IFNAMSIZ) return std::nullopt;
    if (comma == std::string_view::npos) return spec;
    std::string_view options = rest.substr(comma + 1);
    do {
        const auto next = options.find(',');
        const std::string_view option = options.substr(0, next);
        if (option.substr(0, 4) != "mac=") return std::nullopt;
        spec.mac = parse_mac(option.substr(4));
        if (!spec.mac) return std::nullopt;
        options = next == std::string_view::npos ? std::string_view{} : options.substr(next + 1);
    } while (!options.empty());
    return spec;
}

std::vector<std::string_view> nic_options(std::span<const std::string> args) {
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (a == "--nic" && i + 1 < args.size()) {
            out.push_back(args[++i]);
        } else if (a.substr(0, 6) == "--nic=") {
            out.push_back(a.substr(6));
        }
    }
    return out;
}

} // namespace os::linux_nic
