// The few libc++ functions that live in libc++.so rather than in the headers,
// written for the image (Debian's libc++.a is built for glibc and cannot be
// linked). Only what header-only use of containers, strings and shared_ptr
// references is here.
#include <cstdio>
#include <memory>
#include <string>

namespace std {
inline namespace __1 {

// The smallest prime >= n, for unordered containers' bucket counts.
size_t __next_prime(size_t n) {
    if (n <= 2) return 2;
    if (n % 2 == 0) ++n;
    for (;; n += 2) {
        bool prime = true;
        for (size_t d = 3; d <= n / d; d += 2) {
            if (n % d == 0) {
                prime = false;
                break;
            }
        }
        if (prime) return n;
    }
}

namespace {
template <class T>
string format(const char* spec, T value) {
    char buffer[64];
    const int n = snprintf(buffer, sizeof buffer, spec, value);
    return string(buffer, n < 0 ? 0 : static_cast<size_t>(n));
}
} // namespace

string to_string(int v) {
    return format("%d", v);
}
string to_string(unsigned v) {
    return format("%u", v);
}
string to_string(long v) {
    return format("%ld", v);
}
string to_string(unsigned long v) {
    return format("%lu", v);
}
string to_string(long long v) {
    return format("%lld", v);
}
string to_string(unsigned long long v) {
    return format("%llu", v);
}
string to_string(float v) {
    return format("%f", static_cast<double>(v));
}
string to_string(double v) {
    return format("%f", v);
}
string to_string(long double v) {
    return format("%Lf", v);
}

// shared_ptr control blocks. The counters hold "owners - 1" (the header's
// inline code increments and decrements them).
__shared_count::~__shared_count() {}
__shared_weak_count::~__shared_weak_count() {}

void __shared_weak_count::__release_weak() noexcept {
    if (__libcpp_atomic_refcount_decrement(__shared_weak_owners_) == -1) __on_zero_shared_weak();
}

__shared_weak_count* __shared_weak_count::lock() noexcept {
    long owners = __shared_owners_;
    while (owners != -1) {
        if (__atomic_compare_exchange_n(&__shared_owners_, &owners, owners + 1, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED))
            return this;
    }
    return nullptr;
}

const void* __shared_weak_count::__get_deleter(const type_info&) const noexcept {
    return nullptr;
}

} // namespace __1
} // namespace std
