// The NIC contract lives in os/ (<halite/os/nic.hpp>), where the drivers implement it; the stack is written
// against it under the net:: names.
#pragma once

#include "net/packet_buffer.hpp"

#include <halite/os/nic.hpp>

namespace net {

using os::MacAddress;
using os::Nic;

} // namespace net
