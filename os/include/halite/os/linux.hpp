// Linux-platform extras: the same application API runs as an ordinary process,
// and drivers for that platform (TAP, AF_PACKET) watch file descriptors here.
// Only available when linking halite_os_linux.
#pragma once

#include <halite/os/result.hpp>

#include <cstdint>
#include <functional>

namespace os::linux_process {

// Runs `callback(events)` from the event loop whenever `fd` is ready for
// `events` (EPOLLIN, EPOLLOUT, ...; level-triggered).
Result<void> watch_fd(int fd, std::uint32_t events, std::function<void(std::uint32_t)> callback);
void unwatch_fd(int fd);

} // namespace os::linux_process
