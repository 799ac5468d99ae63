// Errors as values (in the manner of SerenityOS's ErrorOr): no exceptions anywhere in net/.
#pragma once

#include <cassert>
#include <utility>

namespace net {

enum class Error {
    InvalidArgument,
    AddressInUse,
    NotConfigured,
    NoRoute,
    NoBuffers,
    MessageTooLong,
    TableFull,
    NotFound,
    LinkDown,
    Filtered,
    WouldBlock,
};

const char* to_string(Error e);

template <typename T>
class [[nodiscard]] ErrorOr {
public:
    ErrorOr(T value) : value_(std::move(value)), ok_(true) {}
    ErrorOr(Error e) : error_(e), ok_(false) {}

    bool is_error() const { return !ok_; }
    explicit operator bool() const { return ok_; }
    Error error() const {
        assert(!ok_);
        return error_;
    }
    T& value() {
        assert(ok_);
        return value_;
    }
    const T& value() const {
        assert(ok_);
        return value_;
    }
    T release_value() { return std::move(value()); }

private:
    T value_{};
    Error error_{};
    bool ok_;
};

template <>
class [[nodiscard]] ErrorOr<void> {
public:
    ErrorOr() : ok_(true) {}
    ErrorOr(Error e) : error_(e), ok_(false) {}

    bool is_error() const { return !ok_; }
    explicit operator bool() const { return ok_; }
    Error error() const {
        assert(!ok_);
        return error_;
    }

private:
    Error error_{};
    bool ok_;
};

} // namespace net

// Propagates an error from an ErrorOr<...> expression; the happy path reads straight down.
#define NET_TRY(expr)                                                                                        \
    do {                                                                                                     \
        auto net_try_result_ = (expr);                                                                       \
        if (net_try_result_.is_error()) return net_try_result_.error();                                      \
    } while (0)
