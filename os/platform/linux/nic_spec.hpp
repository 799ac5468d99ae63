// `--nic` options of a linux-platform program: `--nic tap:tap0`, `--nic packet:veth1` (AF_PACKET),
// `--nic xdp:veth1` (AF_XDP), optionally with `,mac=02:00:00:00:00:01` (a TAP NIC's own address; AF_PACKET
// and AF_XDP NICs use the interface's).
#pragma once

#include <halite/os/nic.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace os::linux_nic {

enum class Kind { tap, packet, xdp };

struct NicSpec {
    Kind kind;
    std::string interface;
    std::optional<MacAddress> mac;
};

// One option value ("tap:tap0,mac=..."); nullopt when malformed.
std::optional<NicSpec> parse_nic_spec(std::string_view text);
std::optional<MacAddress> parse_mac(std::string_view text);

// The values of every `--nic X` / `--nic=X` in `args`, in order.
std::vector<std::string_view> nic_options(std::span<const std::string> args);

} // namespace os::linux_nic
