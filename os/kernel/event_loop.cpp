#include "event_loop.hpp"

#include <algorithm>

namespace os::events {

void Loop::post(Callback callback) {
    posted_.push_back(std::move(callback));
}

PollerId Loop::add_poller(std::function<bool()> poll) {
    const PollerId id{next_poller_++};
    pollers_.emplace_back(id, std::move(poll));
    return id;
}

void Loop::remove_poller(PollerId id) {
    // Pollers may remove themselves while running: only blank the entry here.
    for (auto& [pid, fn] : pollers_) {
        if (pid == id) {
            pid = PollerId::none;
            fn = nullptr;
            pollers_dirty_ = true;
        }
    }
}

void Loop::add_work(Work& work) {
    work.next_ = works_;
    works_ = &work;
}

void Loop::remove_work(Work& work) {
    for (Work** p = &works_; *p != nullptr; p = &(*p)->next_) {
        if (*p == &work) {
            *p = work.next_;
            work.next_ = nullptr;
            return;
        }
    }
}

void Loop::work_scheduled() noexcept {
    work_pending_.store(true, std::memory_order_release);
    platform_.wake();
}

std::size_t Loop::run_work() {
    if (!work_pending_.exchange(false, std::memory_order_acq_rel)) return 0;
    std::size_t ran = 0;
    for (Work* w = works_; w != nullptr;) {
        Work* next = w->next_; // the callback may destroy its own Work
        if (w->pending_.exchange(false, std::memory_order_acq_rel)) {
            ++ran;
            if (w->callback_) w->callback_();
        }
        w = next;
    }
    return ran;
}

std::size_t Loop::run_posted() {
    if (posted_.empty()) return 0;
    std::vector<Callback> batch;
    batch.swap(posted_); // posts made by these callbacks run next iteration
    for (auto& callback : batch) {
        if (callback) callback();
    }
    return batch.size();
}

bool Loop::run_pollers() {
    bool busy = false;
    // Index loop: a poller may add pollers (appended, run next time).
    const std::size_t count = pollers_.size();
    for (std::size_t i = 0; i < count; ++i) {
        if (pollers_[i].first == PollerId::none) continue;
        auto poll = pollers_[i].second; // a poller may remove itself
        if (poll()) busy = true;
    }
    if (pollers_dirty_) {
        std::erase_if(pollers_, [](const auto& p) { return p.first == PollerId::none; });
        pollers_dirty_ = false;
    }
    return busy;
}

bool Loop::run_once() {
    ++iterations_;
    std::size_t ran = platform_.dispatch();
    ran += run_work();
    ran += timers_.run_due(platform_.now());
    ran += run_posted();
    const bool busy = run_pollers();
    return ran > 0 || busy || !posted_.empty();
}

bool Loop::can_wake() {
    return timers_.active() > 0 || !pollers_.empty() || works_ != nullptr || !posted_.empty() ||
           platform_.has_event_sources();
}

int Loop::run() {
    while (!stopped_) {
        if (run_once() || stopped_) continue;
        if (!can_wake()) return 0;
        ++idle_waits_;
        platform_.wait(timers_.next_deadline());
    }
    return exit_code_;
}

void Loop::stop(int code) noexcept {
    stopped_ = true;
    exit_code_ = code;
    platform_.wake();
}

} // namespace os::events
