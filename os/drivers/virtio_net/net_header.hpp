// struct virtio_net_hdr (virtio 1.2, 5.1.6), the header in front of every packet on a virtio-net queue,
// read and written byte by byte (little-endian) in the packet buffer's headroom.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace os::virtio {

class NetHeader {
public:
    static constexpr std::uint8_t flag_needs_csum = 1; // csum_start/csum_offset say what is left to sum
    static constexpr std::uint8_t flag_data_valid = 2; // the device checked the transport checksum
    static constexpr std::uint8_t gso_none = 0;

    // `bytes`: the 10 or 12 header bytes (net_header_length()).
    explicit NetHeader(std::span<std::byte> bytes) : bytes_(bytes) {}

    std::uint8_t flags() const { return std::to_integer<std::uint8_t>(bytes_[0]); }
    std::uint8_t gso_type() const { return std::to_integer<std::uint8_t>(bytes_[1]); }
    std::uint16_t csum_start() const { return load16(6); }
    std::uint16_t csum_offset() const { return load16(8); }
    // Buffers the packet spans (MRG_RXBUF); 1 when the header has no such field.
    std::uint16_t num_buffers() const { return bytes_.size() >= 12 ? load16(10) : 1; }

    // A transmit header: no offload asked (the stack computed every checksum), no segmentation.
    void clear() { std::memset(bytes_.data(), 0, bytes_.size()); }

private:
    std::uint16_t load16(std::size_t at) const {
        return static_cast<std::uint16_t>(std::to_integer<unsigned>(bytes_[at]) |
                                          (std::to_integer<unsigned>(bytes_[at + 1]) << 8));
    }

    std::span<std::byte> bytes_;
};

} // namespace os::virtio
