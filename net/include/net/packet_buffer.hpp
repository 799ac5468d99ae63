// The packet memory shared with the NIC drivers lives in os/ (<halite/os/packet_buffer.hpp>): drivers are
// below net/ and must not depend on it. net/ code uses the same types under the net:: names.
#pragma once

#include <halite/os/packet_buffer.hpp>

namespace net {

using os::PacketBatch;
using os::PacketBuffer;
using os::PacketPool;
using os::PacketPtr;
using os::PacketRelease;

} // namespace net
