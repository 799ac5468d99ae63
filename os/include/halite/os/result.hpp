// Errors as values: a Result<T> holds either a T or an Error. Callers propagate
// with OS_TRY, so the happy path reads straight down:
//
//   auto bar = OS_TRY(device.bar(0));
#pragma once

#include <optional>
#include <utility>

namespace os {

enum class Errc : int {
    unsupported = 1, // not available on this platform or hardware
    invalid_argument,
    out_of_memory,
    not_found,
    busy,
    io_error,
};

const char* to_string(Errc code) noexcept;

struct Error {
    Errc code;
    const char* context = ""; // static text saying what failed; never owned
};

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : value_(std::move(value)) {}
    Result(Error error) : error_(error) {}

    bool ok() const noexcept { return value_.has_value(); }
    explicit operator bool() const noexcept { return ok(); }
    T& value() & { return *value_; }
    const T& value() const& { return *value_; }
    T&& value() && { return std::move(*value_); }
    T* operator->() { return &*value_; }
    const T* operator->() const { return &*value_; }
    T& operator*() & { return *value_; }
    const T& operator*() const& { return *value_; }
    const Error& error() const noexcept { return error_; }
    T take() { return std::move(*value_); }

private:
    std::optional<T> value_;
    Error error_{Errc::invalid_argument, ""};
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : ok_(false), error_(error) {}

    bool ok() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    const Error& error() const noexcept { return error_; }
    void take() {}

private:
    bool ok_ = true;
    Error error_{Errc::invalid_argument, ""};
};

} // namespace os

// Evaluates to the value of a Result, or returns its error from the calling
// function (which must return a Result or an Error).
#define OS_TRY(expr)                                                                                         \
    ({                                                                                                       \
        auto os_try_result_ = (expr);                                                                        \
        if (!os_try_result_.ok()) return os_try_result_.error();                                             \
        os_try_result_.take();                                                                               \
    })
