// A token bucket for ICMP errors (RFC 1812 4.3.2.8, RFC 1122 3.2.2): bounds what a flood of bad packets
// can make this host send.
#pragma once

#include "net/time.hpp"

#include <chrono>
#include <cstdint>

namespace net {

struct IcmpRateConfig {
    std::uint32_t per_second = 100;
    std::uint32_t burst = 50;
};

class IcmpRateLimiter {
public:
    explicit IcmpRateLimiter(IcmpRateConfig c = {}) : config_(c), tokens_(c.burst) {}

    // True (and a token is spent) when a message may be sent at `now`.
    bool allow(Instant now) {
        refill(now);
        if (tokens_ == 0) return false;
        --tokens_;
        return true;
    }

private:
    void refill(Instant now) {
        if (!started_) {
            started_ = true;
            last_ = now;
            return;
        }
        if (config_.per_second == 0 || now <= last_) return;
        const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_).count();
        const std::int64_t per_token = 1'000'000'000 / config_.per_second;
        const std::int64_t add = per_token > 0 ? elapsed / per_token : elapsed;
        if (add == 0) return;
        last_ += std::chrono::nanoseconds(add * per_token);
        const std::int64_t t = tokens_ + add;
        tokens_ = static_cast<std::uint32_t>(t > config_.burst ? config_.burst : t);
    }

    IcmpRateConfig config_;
    std::uint32_t tokens_;
    bool started_ = false;
    Instant last_{};
};

} // namespace net
