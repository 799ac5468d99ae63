#include "interface_info.hpp"

#include <cerrno>
#include <cstdio>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace os::linux_nic {

namespace {

constexpr std::size_t ethernet_and_tag = 18;

// 0 or -1 with errno, as ioctl(2).
int interface_ioctl(const std::string& interface, unsigned long request, ifreq& r) {
    std::snprintf(r.ifr_name, sizeof r.ifr_name, "%s", interface.c_str());
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    const int result = ioctl(fd, request, &r);
    const int saved = errno;
    close(fd);
    errno = saved;
    return result;
}

} // namespace

std::optional<MacAddress> interface_mac(const std::string& interface) {
    ifreq request{};
    if (interface_ioctl(interface, SIOCGIFHWADDR, request) != 0) return std::nullopt;
    MacAddress mac;
    for (int i = 0; i < 6; ++i)
        mac.octets[i] = static_cast<std::uint8_t>(request.ifr_hwaddr.sa_data[i]);
    return mac;
}

std::optional<std::uint16_t> interface_mtu(const std::string& interface) {
    ifreq request{};
    if (interface_ioctl(interface, SIOCGIFMTU, request) != 0 || request.ifr_mtu < 68 ||
        request.ifr_mtu > 65535)
        return std::nullopt;
    return static_cast<std::uint16_t>(request.ifr_mtu);
}

unsigned interface_rx_queues(const std::string& interface) {
    ethtool_channels channels{};
    channels.cmd = ETHTOOL_GCHANNELS;
    ifreq request{};
    request.ifr_data = reinterpret_cast<char*>(&channels);
    if (interface_ioctl(interface, SIOCETHTOOL, request) != 0) return 1;
    const unsigned count = channels.rx_count + channels.combined_count;
    return count == 0 ? 1 : count;
}

std::optional<bool> interface_running(const std::string& interface) {
    ifreq request{};
    if (interface_ioctl(interface, SIOCGIFFLAGS, request) != 0) return std::nullopt;
    return (request.ifr_flags & IFF_UP) != 0 && (request.ifr_flags & IFF_RUNNING) != 0;
}

std::uint16_t mtu_within(std::uint16_t mtu, std::size_t frame_room) {
    if (frame_room < std::size_t{mtu} + ethernet_and_tag)
        return static_cast<std::uint16_t>(frame_room - ethernet_and_tag);
    return mtu;
}

} // namespace os::linux_nic
