// A callable holder with fixed inline storage: event callbacks without heap allocation or exceptions.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace net {

template <typename Signature, std::size_t Capacity = 4 * sizeof(void*)>
class InplaceFunction;

template <typename R, typename... Args, std::size_t Capacity>
class InplaceFunction<R(Args...), Capacity> {
public:
    InplaceFunction() = default;
    InplaceFunction(std::nullptr_t) {}

    template <typename F, typename D = std::decay_t<F>,
              typename = std::enable_if_t<!std::is_same_v<D, InplaceFunction> &&
                                          std::is_invocable_r_v<R, D&, Args...>>>
    InplaceFunction(F&& f) {
        static_assert(sizeof(D) <= Capacity, "callable too large for InplaceFunction: capture less");
        static_assert(alignof(D) <= alignof(std::max_align_t));
        static_assert(std::is_nothrow_move_constructible_v<D>);
        ::new (static_cast<void*>(&storage_)) D(std::forward<F>(f));
        ops_ = &ops_for<D>;
    }
    InplaceFunction(InplaceFunction&& other) noexcept { move_from(other); }
    InplaceFunction& operator=(InplaceFunction&& other) noexcept {
        if (this != &other) {
            reset();
            move_from(other);
        }
        return *this;
    }
    InplaceFunction(const InplaceFunction&) = delete;
    InplaceFunction& operator=(const InplaceFunction&) = delete;
    ~InplaceFunction() { reset(); }

    explicit operator bool() const { return ops_ != nullptr; }
    R operator()(Args... args) { return ops_->invoke(&storage_, std::forward<Args>(args)...); }

    void reset() {
        if (ops_ != nullptr) ops_->destroy(&storage_);
        ops_ = nullptr;
    }

private:
    struct Ops {
        R (*invoke)(void*, Args&&...);
        void (*move)(void* dst, void* src);
        void (*destroy)(void*);
    };
    template <typename D>
    static constexpr Ops ops_for{
        [](void* p, Args&&... args) -> R { return (*static_cast<D*>(p))(std::forward<Args>(args)...); },
        [](void* dst, void* src) { ::new (dst) D(std::move(*static_cast<D*>(src))); },
        [](void* p) { static_cast<D*>(p)->~D(); },
    };
    void move_from(InplaceFunction& other) {
        if (other.ops_ == nullptr) return;
        other.ops_->move(&storage_, &other.storage_);
        ops_ = other.ops_;
        other.reset();
    }

    alignas(std::max_align_t) std::byte storage_[Capacity];
    const Ops* ops_ = nullptr;
};

} // namespace net
