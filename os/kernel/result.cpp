#include <halite/os/result.hpp>

namespace os {

const char* to_string(Errc code) noexcept {
    switch (code) {
    case Errc::unsupported:
        return "unsupported";
    case Errc::invalid_argument:
        return "invalid argument";
    case Errc::out_of_memory:
        return "out of memory";
    case Errc::not_found:
        return "not found";
    case Errc::busy:
        return "busy";
    case Errc::io_error:
        return "I/O error";
    }
    return "unknown error";
}

} // namespace os
