// The command line: the kernel command line on an image (`-append` plus what the
// machine adds, e.g. microvm's virtio_mmio.device=...), argv[1..] on linux.
// Tokens are separated by blanks; double quotes group blanks into a token and
// are removed (`msg="a b"` is the token `msg=a b`).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace os {

class Cmdline {
public:
    Cmdline() = default;
    static Cmdline parse(std::string_view text);

    // The text as given.
    std::string_view raw() const noexcept { return raw_; }
    // The tokens, in order, quotes removed.
    std::span<const std::string> args() const noexcept { return args_; }
    // The value of the last `key=value` token, if any.
    std::optional<std::string_view> get(std::string_view key) const;
    // Every value of `key=value` tokens, in order (keys may repeat).
    std::vector<std::string_view> get_all(std::string_view key) const;
    // True for a token `flag` or `flag=...`.
    bool has(std::string_view flag) const;

private:
    std::string raw_;
    std::vector<std::string> args_;
};

} // namespace os
