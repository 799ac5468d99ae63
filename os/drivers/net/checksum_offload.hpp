// Finishing transport checksums that a device left undone, for NIC drivers: a virtio-net packet marked
// NEEDS_CSUM (virtio 1.2, 5.1.6.4) and an AF_PACKET frame marked TP_STATUS_CSUMNOTREADY (packet(7)) carry
// only the pseudo-header sum in the TCP/UDP checksum field, because the sender (a Linux namespace on the
// same host) offloaded the rest. The stack checks and forwards checksums as they are, so drivers complete
// them before handing frames up; drivers never ask devices to checksum for them (the stack always does).
//
// Byte-level: no structure is laid over packet bytes here.
#pragma once

#include <cstddef>
#include <span>

namespace os::net_offload {

// RFC 1071: the checksum of [start, end) stored at start + offset, both from the start of `frame` (virtio's
// csum_start and csum_offset). False (frame untouched) when the offsets do not fit the frame.
bool complete_partial_checksum(std::span<std::byte> frame, std::size_t start, std::size_t offset);

// The same when no offsets are known: for an Ethernet frame (an 802.1Q tag allowed) holding an unfragmented
// IPv4 TCP or UDP datagram, computes the transport checksum from scratch (RFC 793, RFC 768 with the
// pseudo-header) and writes it. False (frame untouched) for anything else or a truncated frame.
bool fill_transport_checksum(std::span<std::byte> frame);

// For a receive path that loses the mark (AF_XDP tells a socket nothing about a frame's checksum state): an
// IPv4 TCP or UDP frame whose checksum field holds exactly its pseudo-header sum, and whose checksum does not
// verify, is taken for one a local sender left partial, and its checksum is computed (as above). True when
// it did that. A frame whose checksum verifies is never touched; a damaged frame is mistaken for a partial
// one only when its field also happens to equal the pseudo-header sum (one value in 65,536).
bool complete_unmarked_partial_checksum(std::span<std::byte> frame);

} // namespace os::net_offload
