#include "appliance/conntrack/table.hpp"

#include <algorithm>
#include <new>

namespace appliance::conntrack {

namespace {

std::size_t idx(TimeoutClass c) {
    return static_cast<std::size_t>(c);
}

net::Duration seconds(std::uint32_t s) {
    return std::chrono::seconds(s);
}

} // namespace

const char* to_string(TimeoutClass c) {
    switch (c) {
    case TimeoutClass::UnconfirmedTcp:
        return "unconfirmed tcp";
    case TimeoutClass::UnconfirmedUdp:
        return "unconfirmed udp";
    case TimeoutClass::UnconfirmedIcmp:
        return "unconfirmed icmp";
    case TimeoutClass::ConfirmedTcp:
        return "confirmed tcp";
    case TimeoutClass::ConfirmedUdp:
        return "confirmed udp";
    case TimeoutClass::ConfirmedIcmp:
        return "confirmed icmp";
    case TimeoutClass::EstablishedTcp:
        return "established tcp";
    case TimeoutClass::EstablishedUdp:
        return "established udp";
    case TimeoutClass::EstablishedIcmp:
        return "established icmp";
    case TimeoutClass::TcpClosing:
        return "tcp closing";
    case TimeoutClass::TcpTimeWait:
        return "tcp time-wait";
    case TimeoutClass::TcpClosed:
        return "tcp closed";
    case TimeoutClass::Count:
        break;
    }
    return "?";
}

const char* to_string(TcpState s) {
    switch (s) {
    case TcpState::None:
        return "none";
    case TcpState::SynSent:
        return "syn-sent";
    case TcpState::SynReceived:
        return "syn-received";
    case TcpState::Established:
        return "established";
    case TcpState::FinWait:
        return "fin-wait";
    case TcpState::LastAck:
        return "last-ack";
    case TcpState::TimeWait:
        return "time-wait";
    case TcpState::Closed:
        return "closed";
    }
    return "?";
}

Timeouts Timeouts::from(const ConntrackConfig& c) {
    Timeouts t;
    auto set = [&](TimeoutClass k, std::uint32_t s) { t.by_class[idx(k)] = seconds(s); };
    set(TimeoutClass::UnconfirmedTcp, c.unconfirmed.tcp);
    set(TimeoutClass::UnconfirmedUdp, c.unconfirmed.udp);
    set(TimeoutClass::UnconfirmedIcmp, c.unconfirmed.icmp);
    set(TimeoutClass::ConfirmedTcp, c.confirmed.tcp);
    set(TimeoutClass::ConfirmedUdp, c.confirmed.udp);
    set(TimeoutClass::ConfirmedIcmp, c.confirmed.icmp);
    set(TimeoutClass::EstablishedTcp, c.established.tcp);
    set(TimeoutClass::EstablishedUdp, c.established.udp);
    set(TimeoutClass::EstablishedIcmp, c.established.icmp);
    set(TimeoutClass::TcpClosing, c.confirmed.tcp);
    set(TimeoutClass::TcpTimeWait, 120);
    set(TimeoutClass::TcpClosed, 10);
    return t;
}

std::unique_ptr<ConntrackTable> ConntrackTable::create(std::uint32_t limit, const Timeouts& timeouts,
                                                       std::uint64_t seed) {
    if (limit == 0 || limit > max_limit) return nullptr;
    // Two index slots per entry (one per direction), at most half of them used.
    std::uint32_t slots = 16;
    while (slots < 4 * limit)
        slots *= 2;
    std::unique_ptr<ConntrackTable> table(new (std::nothrow_t{})
                                              ConntrackTable(limit, slots, timeouts, seed));
    if (!table || !table->entries_ || !table->slots_) return nullptr;
    return table;
}

ConntrackTable::ConntrackTable(std::uint32_t capacity, std::uint32_t slot_count, const Timeouts& timeouts,
                               std::uint64_t seed)
    : capacity_(capacity), slot_mask_(slot_count - 1), timeouts_(timeouts), seed_(seed),
      entries_(new (std::nothrow_t{}) Entry[capacity]), slots_(new (std::nothrow_t{}) Slot[slot_count]) {
    if (!entries_ || !slots_) return;
    for (std::uint32_t i = capacity; i-- > 0;) {
        entries_[i].next = free_head_;
        free_head_ = i;
    }
    head_.fill(nil);
    tail_.fill(nil);
    for (std::size_t c = 0; c < timeout_class_count; ++c) {
        relink_lag_ns_[c] = std::max<std::int64_t>(timeouts_.by_class[c].count(), 0) / 16;
        lag_unit_ns_[c] = relink_lag_ns_[c] / 32000 + 1;
    }
}

ConntrackTable::~ConntrackTable() = default;

std::size_t ConntrackTable::memory_bytes() const {
    return sizeof(*this) + std::size_t{capacity_} * sizeof(Entry) +
           (std::size_t{slot_mask_} + 1) * sizeof(Slot);
}

std::uint32_t ConntrackTable::locate(const Tuple& t, std::uint32_t h) const {
    std::uint32_t i = home(h);
    for (std::uint32_t probes = 1;; ++probes, i = (i + 1) & slot_mask_) {
        const Slot& s = slots_[i];
        if (s.ref == nil) {
            if (probes > longest_probe_) longest_probe_ = probes;
            return nil;
        }
        if (s.hash == h && tuple_of(s.ref) == t) {
            if (probes > longest_probe_) longest_probe_ = probes;
            return i;
        }
    }
}

void ConntrackTable::index_insert(std::uint32_t entry, Dir dir, std::uint32_t h) {
    std::uint32_t i = home(h);
    while (slots_[i].ref != nil)
        i = (i + 1) & slot_mask_;
    slots_[i] = Slot{entry * 2 + index_of(dir), h};
}

void ConntrackTable::index_remove(std::uint32_t entry, Dir dir) {
    const Tuple& t = entries_[entry].tuple[index_of(dir)];
    std::uint32_t i = locate(t, hash32(t));
    if (i == nil || slots_[i].ref != entry * 2 + index_of(dir)) return;
    // Backward-shift deletion (Knuth 6.4, algorithm R): pull later members of the probe run into the hole
    // unless their home lies cyclically in (hole, current], so no tombstones ever lengthen probes.
    std::uint32_t j = i;
    for (;;) {
        j = (j + 1) & slot_mask_;
        if (slots_[j].ref == nil) break;
        const std::uint32_t k = home(slots_[j].hash);
        const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (stays) continue;
        slots_[i] = slots_[j];
        i = j;
    }
    slots_[i] = Slot{};
}

void ConntrackTable::list_push_back(std::uint32_t e) {
    const std::size_t c = idx(entries_[e].timeout_class);
    entries_[e].prev = tail_[c];
    entries_[e].next = nil;
    if (tail_[c] != nil) {
        entries_[tail_[c]].next = e;
    } else {
        head_[c] = e;
    }
    tail_[c] = e;
    ++list_size_[c];
}

void ConntrackTable::list_unlink(std::uint32_t e) {
    const std::size_t c = idx(entries_[e].timeout_class);
    Entry& x = entries_[e];
    if (x.prev != nil) {
        entries_[x.prev].next = x.next;
    } else {
        head_[c] = x.next;
    }
    if (x.next != nil) {
        entries_[x.next].prev = x.prev;
    } else {
        tail_[c] = x.prev;
    }
    x.prev = x.next = nil;
    --list_size_[c];
}

void ConntrackTable::release(std::uint32_t e) {
    index_remove(e, Dir::Original);
    index_remove(e, Dir::Reply);
    list_unlink(e);
    Entry& x = entries_[e];
    const std::uint32_t generation = x.generation + 1;
    x = Entry{};
    x.generation = generation;
    x.next = free_head_;
    free_head_ = e;
    --size_;
}

std::optional<ConntrackTable::Hit> ConntrackTable::find(const Tuple& t, net::Instant now) {
    return find(t, hash32(t), now);
}

std::optional<ConntrackTable::Hit> ConntrackTable::find(const Tuple& t, std::uint32_t h, net::Instant now) {
    const std::uint32_t i = locate(t, h);
    if (i == nil) return std::nullopt;
    const std::uint32_t e = slots_[i].ref >> 1;
    if (entries_[e].expires_ns <= net::to_ns(now)) {
        // Lazy expiry: the periodic expire() may not have reached it yet.
        release(e);
        ++counters_.expired;
        return std::nullopt;
    }
    return Hit{Ref{e, entries_[e].generation}, static_cast<Dir>(slots_[i].ref & 1)};
}

std::optional<ConntrackTable::Hit> ConntrackTable::peek(const Tuple& t, net::Instant now) const {
    const std::uint32_t i = locate(t, hash32(t));
    if (i == nil) return std::nullopt;
    const std::uint32_t e = slots_[i].ref >> 1;
    if (entries_[e].expires_ns <= net::to_ns(now)) return std::nullopt;
    return Hit{Ref{e, entries_[e].generation}, static_cast<Dir>(slots_[i].ref & 1)};
}

std::uint32_t ConntrackTable::earliest_expiring() const {
    std::uint32_t best = nil;
    for (std::size_t c = 0; c < timeout_class_count; ++c) {
        const std::uint32_t h = head_[c];
        if (h != nil && (best == nil || entries_[h].expires_ns < entries_[best].expires_ns)) best = h;
    }
    return best;
}

std::optional<ConntrackTable::Inserted> ConntrackTable::insert(const Tuple& original, TimeoutClass cls,
                                                               net::Instant now) {
    const Tuple reply = original.inverted();
    // Each direction's hash once: for the clash checks and for the index.
    const std::uint32_t h_original = hash32(original), h_reply = hash32(reply);
    if (find(original, h_original, now) || find(reply, h_reply, now)) {
        ++counters_.clashes;
        return std::nullopt;
    }
    Inserted result;
    if (free_head_ == nil) {
        const std::uint32_t victim = earliest_expiring();
        if (victim == nil) return std::nullopt; // unreachable: a full table has entries in some list
        if (entries_[victim].expires_ns <= net::to_ns(now)) {
            ++counters_.expired;
        } else {
            ++counters_.evicted;
            result.evicted = true;
            result.evicted_original = entries_[victim].tuple[0];
        }
        release(victim);
    }
    const std::uint32_t e = free_head_;
    Entry& x = entries_[e];
    free_head_ = x.next;
    const std::uint32_t generation = x.generation;
    x = Entry{};
    x.generation = generation;
    x.in_use = true;
    x.tuple[0] = original;
    x.tuple[1] = reply;
    x.timeout_class = cls;
    x.expires_ns = net::to_ns(now + timeouts_.of(cls));
    x.appended = lag_units(x.expires_ns, idx(cls));
    index_insert(e, Dir::Original, h_original);
    index_insert(e, Dir::Reply, h_reply);
    list_push_back(e);
    ++size_;
    ++counters_.inserted;
    result.ref = Ref{e, x.generation};
    return result;
}

void ConntrackTable::erase(Ref ref) {
    if (get(ref) == nullptr) return;
    release(ref.index);
    ++counters_.erased;
}

void ConntrackTable::touch(Ref ref, TimeoutClass cls, net::Instant now) {
    Entry* x = get(ref);
    if (x == nullptr) return;
    const std::size_t c = idx(cls);
    const std::int64_t expires = net::to_ns(now + timeouts_.of(cls));
    if (x->timeout_class == cls) {
        // The entry stays where it is while its expiry is within the relink lag of the one it was appended
        // with. That one is known in units, modulo 2^16: unambiguous, as the old expiry was within the lag
        // of it and the new one is within the lag of the old one, and twice the lag fits in 16 bits.
        const std::int64_t moved = expires - x->expires_ns;
        if (moved >= 0 && moved <= relink_lag_ns_[c]) {
            const auto lag = static_cast<std::uint16_t>(lag_units(expires, c) - x->appended);
            if ((std::int64_t{lag} + 1) * lag_unit_ns_[c] <= relink_lag_ns_[c]) {
                x->expires_ns = expires;
                return;
            }
        }
    }
    list_unlink(ref.index);
    x->timeout_class = cls;
    x->expires_ns = expires;
    x->appended = lag_units(expires, c);
    list_push_back(ref.index);
}

bool ConntrackTable::set_reply(Ref ref, const Tuple& reply) {
    Entry* x = get(ref);
    if (x == nullptr) return false;
    if (x->tuple[1] == reply) return true;
    const std::uint32_t h = hash32(reply);
    if (locate(reply, h) != nil) {
        ++counters_.clashes;
        return false;
    }
    index_remove(ref.index, Dir::Reply);
    x->tuple[1] = reply;
    index_insert(ref.index, Dir::Reply, h);
    return true;
}

std::size_t ConntrackTable::expire(net::Instant now, std::size_t budget) {
    std::size_t n = 0;
    const std::int64_t t = net::to_ns(now);
    // Nothing expires again until the time moves: an entry inserted or touched at `t` expires after it (and
    // find() erases an expired entry it meets in any case). Saves reading every list's head entry for each
    // packet of a burst, which all carry the same time. A head that is not due stops its list: what is due
    // behind it was appended with an expiry no earlier than the head's, so it waits at most the relink lag.
    if (t == swept_at_ns_) return 0;
    for (std::size_t c = 0; c < timeout_class_count && n < budget; ++c) {
        while (n < budget && head_[c] != nil && entries_[head_[c]].expires_ns <= t) {
            release(head_[c]);
            ++counters_.expired;
            ++n;
        }
    }
    if (n < budget) swept_at_ns_ = t;
    return n;
}

} // namespace appliance::conntrack
