#include "net/wire/icmp.hpp"

#include "net/wire/checksum.hpp"

namespace net::wire {

bool IcmpView::verify_checksum() const {
    return internet_checksum(bytes_) == 0;
}

void IcmpView::set_type(std::uint8_t t) {
    // Type and code form the first 16-bit word of the message.
    const std::uint16_t old_word = get16(bytes_, 0);
    const std::uint16_t new_word = static_cast<std::uint16_t>((std::uint16_t{t} << 8) | code());
    put16(bytes_, 0, new_word);
    put16(bytes_, 2, checksum_update16(checksum(), old_word, new_word));
}

bool IcmpRepr::emit(std::span<std::byte> message) const {
    if (message.size() < IcmpView::header_len) return false;
    put8(message, 0, type);
    put8(message, 1, code);
    put16(message, 2, 0);
    put32(message, 4, rest_of_header);
    put16(message, 2, internet_checksum(message));
    return true;
}

} // namespace net::wire
