// A NIC over a TAP device (/dev/net/tun, IFF_TAP): the kernel side of the tap is the wire. One read() or
// write() per frame (TAP has no batch interface), straight into and out of pool buffers. The NIC's MAC is
// its own (the tap interface's address belongs to the kernel side): given with mac=, or 02:48:4c:00:01:<n>.
#pragma once

#include <halite/os/nic.hpp>

#include <array>
#include <string>

namespace os::linux_nic {

class TapNic final : public Nic {
public:
    static Result<TapNic*> open(const std::string& interface, MacAddress mac);
    ~TapNic() override;

    MacAddress mac() const override { return mac_; }
    std::uint16_t mtu() const override { return mtu_; }
    bool link_up() const override { return true; }
    std::size_t receive(PacketBatch& batch) override;
    std::size_t send(PacketBatch& batch) override;
    const char* name() const override { return name_.data(); }
    Result<void> start(PacketPool& pool) override;
    bool rx_pending() const override { return readable_; }

    static MacAddress default_mac(unsigned index) {
        return MacAddress{{0x02, 0x48, 0x4c, 0x00, 0x01, static_cast<std::uint8_t>(index)}};
    }

private:
    TapNic() = default;

    int fd_ = -1;
    std::array<char, 32> name_{};
    MacAddress mac_{};
    std::uint16_t mtu_ = 1500;
    PacketPool* pool_ = nullptr;
    bool readable_ = false; // epoll said so, and read() has not yet returned EAGAIN
};

} // namespace os::linux_nic
