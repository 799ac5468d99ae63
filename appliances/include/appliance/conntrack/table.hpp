// The connection table: a fixed number of entries allocated once, found by either direction's tuple through
// one open-addressing index (linear probing, backward-shift deletion, at most half full). No allocation
// after create(), no per-entry pointers shared with anyone: callers hold a Ref (index + generation), which
// goes stale when the entry is erased or reused.
//
// Expiry without sweeping the table: every entry sits in the list of its timeout class (unconfirmed UDP,
// established TCP...), appended when it enters the class or is refreshed. One class has one timeout, so
// each list is ordered by the expiry its entries had when appended; expire() pops list heads, and find()
// treats an expired entry as gone (exactly: it reads the entry's own expiry). A refresh that keeps the
// entry's expiry within its class's relink lag (1/16 of the timeout) of that appended expiry moves only
// the expiry, not the entry: moving it writes its two list neighbours, two cache misses per packet in a
// large table. So a list is in expiry order to within the relink lag, and expire() frees an entry at most
// that late. When the table is full, the entry that expires first (the earliest head of all lists, to
// within the relink lag) makes room.
#pragma once

#include "appliance/config.hpp"
#include "appliance/conntrack/tuple.hpp"

#include "net/time.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

namespace appliance::conntrack {

enum class TimeoutClass : std::uint8_t {
    UnconfirmedTcp,
    UnconfirmedUdp,
    UnconfirmedIcmp,
    ConfirmedTcp,
    ConfirmedUdp,
    ConfirmedIcmp,
    EstablishedTcp,
    EstablishedUdp,
    EstablishedIcmp,
    TcpClosing,  // one side sent FIN
    TcpTimeWait, // both sides sent FIN
    TcpClosed,   // reset
    Count,
};
inline constexpr std::size_t timeout_class_count = static_cast<std::size_t>(TimeoutClass::Count);
const char* to_string(TimeoutClass c);

struct Timeouts {
    std::array<net::Duration, timeout_class_count> by_class{};
    // The language's three lifecycle timeouts per protocol; the TCP closing states (stateful_tcp) use
    // the confirmed TCP timeout for FIN-WAIT, 120 s for TIME-WAIT (RFC 9293 3.4.2: 2 MSL, with the
    // 1-minute MSL common practice uses) and 10 s after a reset.
    static Timeouts from(const ConntrackConfig& config);
    net::Duration of(TimeoutClass c) const { return by_class[static_cast<std::size_t>(c)]; }
};

// Where a connection is in its life: created by a packet that has not yet left (or been delivered),
// confirmed (that packet got through), established (a reply was seen).
enum class Lifecycle : std::uint8_t { Unconfirmed, Confirmed, Established };

// RFC 9293 3.3.2 states as an observer in the middle sees both ends.
enum class TcpState : std::uint8_t {
    None,        // not TCP
    SynSent,     // SYN from the originator
    SynReceived, // SYN-ACK from the responder
    Established, // the handshake completed (or, without stateful_tcp, picked up mid-stream)
    FinWait,     // one side sent FIN
    LastAck,     // both sides sent FIN, the last one not yet acknowledged
    TimeWait,    // both FINs acknowledged
    Closed,      // RST
};
const char* to_string(TcpState s);

struct Entry {
    std::array<Tuple, 2> tuple{}; // by Dir; tuple[Reply] is what replies look like when they arrive
    std::int64_t expires_ns = 0;  // net::Instant, in ns
    std::uint32_t generation = 0;
    std::uint32_t prev = 0, next = 0; // in the list of timeout_class (or the free list)
    std::uint32_t tcp_isn = 0;        // the originator's initial sequence number, to check the SYN-ACK
    Lifecycle lifecycle = Lifecycle::Unconfirmed;
    TcpState tcp = TcpState::None;
    TimeoutClass timeout_class = TimeoutClass::UnconfirmedUdp;
    bool in_use = false;
    std::uint8_t fin_seen = 0;      // bit index_of(Dir): that side sent FIN
    bool source_port_fixed = false; // snat(addr, port) asked for exactly this port
    // The expiry the entry was appended to its list with, in its class's lag units, modulo 2^16.
    std::uint16_t appended = 0;

    bool translated() const { return tuple[1] != tuple[0].inverted(); }
};
// A lookup reads the tuples and the expiry, a refresh the expiry and the lag: one cache line each.
static_assert(sizeof(Entry) == 64);

class ConntrackTable {
public:
    static constexpr std::uint32_t nil = 0xffffffffu;
    // Beyond this, the index would not fit its 32-bit slot references.
    static constexpr std::uint32_t max_limit = 1u << 26;

    struct Ref {
        std::uint32_t index = nil;
        std::uint32_t generation = 0;
        bool valid() const { return index != nil; }
        friend bool operator==(const Ref&, const Ref&) = default;
    };
    struct Hit {
        Ref ref;
        Dir dir = Dir::Original;
    };
    struct Inserted {
        Ref ref;
        bool evicted = false;     // a live entry was thrown out to make room
        Tuple evicted_original{}; // which (for the log line)
    };
    struct Counters {
        std::uint64_t inserted = 0;
        std::uint64_t expired = 0;
        std::uint64_t evicted = 0; // live entries thrown out because the table was full
        std::uint64_t clashes = 0; // a new entry or a NAT rekey refused: the tuple belongs to another entry
        std::uint64_t erased = 0;  // removed by the owner (a dropped first packet)
    };

    // nullptr when `limit` is 0, above max_limit, or the memory cannot be had.
    static std::unique_ptr<ConntrackTable> create(std::uint32_t limit, const Timeouts& timeouts,
                                                  std::uint64_t seed);
    ~ConntrackTable();
    ConntrackTable(const ConntrackTable&) = delete;
    ConntrackTable& operator=(const ConntrackTable&) = delete;

    // The live entry with `tuple` as one of its directions; an expired one is erased on the way.
    std::optional<Hit> find(const Tuple& tuple, net::Instant now);
    // find() without its side effect: an expired entry is not found, and stays for find() or expire().
    std::optional<Hit> peek(const Tuple& tuple, net::Instant now) const;
    // A new Unconfirmed entry for `original`, its reply tuple the inversion. When the table is full the entry
    // that expires first is evicted. nullopt when either tuple already belongs to an entry (a clash).
    std::optional<Inserted> insert(const Tuple& original, TimeoutClass cls, net::Instant now);
    // Inline: every hook of every packet resolves its connection through these.
    Entry* get(Ref ref) { return const_cast<Entry*>(std::as_const(*this).get(ref)); }
    const Entry* get(Ref ref) const {
        if (ref.index >= capacity_) return nullptr;
        const Entry& x = entries_[ref.index];
        return x.in_use && x.generation == ref.generation ? &x : nullptr;
    }
    // An entry's address stands for it in net::PacketInfo::conntrack; ref_of() turns it back into a Ref,
    // invalid when the entry was erased or reused since (the low 16 bits of its generation differ).
    void* pointer_of(Ref ref) { return get(ref); }
    Ref ref_of(const void* pointer, std::uint16_t generation_low) const {
        if (pointer == nullptr) return {};
        const std::ptrdiff_t i = static_cast<const Entry*>(pointer) - entries_.get();
        if (i < 0 || i >= static_cast<std::ptrdiff_t>(capacity_)) return {};
        const Entry& x = entries_[static_cast<std::size_t>(i)];
        if (!x.in_use || static_cast<std::uint16_t>(x.generation) != generation_low) return {};
        return Ref{static_cast<std::uint32_t>(i), x.generation};
    }
    void erase(Ref ref);
    // Moves the entry to `cls` and restarts its timeout from `now` (`now` never goes back).
    void touch(Ref ref, TimeoutClass cls, net::Instant now);
    // Re-keys the reply direction (NAT). False, and nothing changes, when another entry has that tuple.
    bool set_reply(Ref ref, const Tuple& reply);
    // Erases up to `budget` expired entries, oldest first (each at most its relink lag late); returns how
    // many.
    std::size_t expire(net::Instant now, std::size_t budget);

    // How far a refresh may move an entry's expiry before the entry moves to its list's tail.
    std::int64_t relink_lag_ns(TimeoutClass c) const { return relink_lag_ns_[static_cast<std::size_t>(c)]; }
    std::uint32_t capacity() const { return capacity_; }
    std::uint32_t size() const { return size_; }
    std::uint32_t size_of(TimeoutClass c) const { return list_size_[static_cast<std::size_t>(c)]; }
    const Counters& counters() const { return counters_; }
    const Timeouts& timeouts() const { return timeouts_; }
    std::size_t memory_bytes() const;
    // The longest probe sequence seen by a lookup or insert (a health figure for the statistics).
    std::uint32_t longest_probe() const { return longest_probe_; }

private:
    struct Slot {
        std::uint32_t ref = nil; // entry index * 2 + direction
        std::uint32_t hash = 0;  // low bits of the tuple's hash: its home slot, and a cheap pre-check
    };
    ConntrackTable(std::uint32_t capacity, std::uint32_t slot_count, const Timeouts& timeouts,
                   std::uint64_t seed);

    std::uint32_t home(std::uint32_t h) const { return h & slot_mask_; }
    const Tuple& tuple_of(std::uint32_t slot_ref) const {
        return entries_[slot_ref >> 1].tuple[slot_ref & 1];
    }
    std::uint32_t locate(const Tuple& t, std::uint32_t h) const; // slot index, or nil
    std::uint32_t hash32(const Tuple& t) const { return static_cast<std::uint32_t>(hash(t, seed_)); }
    std::optional<Hit> find(const Tuple& t, std::uint32_t h, net::Instant now); // h = hash32(t)
    void index_insert(std::uint32_t entry, Dir dir, std::uint32_t h);
    void index_remove(std::uint32_t entry, Dir dir);
    void list_push_back(std::uint32_t entry);
    void list_unlink(std::uint32_t entry);
    void release(std::uint32_t entry);
    // Entry::appended for an expiry in class c.
    std::uint16_t lag_units(std::int64_t expires_ns, std::size_t c) const {
        return static_cast<std::uint16_t>(expires_ns / lag_unit_ns_[c]);
    }
    std::uint32_t earliest_expiring() const;

    std::uint32_t capacity_;
    std::uint32_t slot_mask_;
    Timeouts timeouts_;
    // By class: timeout / 16, and a unit that puts twice that in 16 bits (see touch()).
    std::array<std::int64_t, timeout_class_count> relink_lag_ns_{}, lag_unit_ns_{};
    std::uint64_t seed_;
    std::unique_ptr<Entry[]> entries_;
    std::unique_ptr<Slot[]> slots_;
    std::uint32_t free_head_ = nil;
    std::uint32_t size_ = 0;
    std::array<std::uint32_t, timeout_class_count> head_{}, tail_{}, list_size_{};
    Counters counters_;
    mutable std::uint32_t longest_probe_ = 0;
    std::int64_t swept_at_ns_ = -1; // expire() left nothing expired at this time
};

} // namespace appliance::conntrack
