// C <-> C++ packets: what both directions share.
//
// Neither direction copies a string or a payload: C++ views become mqttconn_bytes and back.
// What needs arrays of C structs (lists read off the wire: user properties, subscription
// identifiers, subscriptions, topic filters) goes into arrays owned by the handle and reused,
// so a steady stream of events allocates nothing. Sends put the lists whose element type
// differs in C++ (user properties, subscriptions, topic filters) into a send_storage: a few
// elements in place, more from the handle's allocator, kept for the next send; subscription
// identifiers are passed through as the caller's array. The per-kind conversions are inline
// (events.hpp, sends.hpp) because they sit on the hot path of every call.
#pragma once

#include <cstddef>
#include <memory_resource>
#include <new>
#include <string_view>
#include <type_traits>
#include <vector>

#include "../lib/support/allocator.hpp"
#include "guard.hpp"
#include "mqttconn.h"
#include "mqttconn/packet.hpp"

namespace mqttconn::capi {

// Where an event's arrays and property blocks live (the connection's or decoder's).
struct event_storage {
  explicit event_storage(std::pmr::memory_resource* mr)
      : ups(mr), will_ups(mr), sub_ids(mr), will_sub_ids(mr), subs(mr), filters(mr) {
    props.struct_size = sizeof props;
    will_props.struct_size = sizeof will_props;
  }
  mqttconn_properties props{};
  mqttconn_properties will_props{};
  std::pmr::vector<mqttconn_user_property> ups, will_ups;
  std::pmr::vector<std::uint32_t> sub_ids, will_sub_ids;
  std::pmr::vector<mqttconn_subscription> subs;
  std::pmr::vector<mqttconn_bytes> filters;
};

// The arrays a send converts lists into: the handle's (kept from send to send), or the
// stack's for mqttconn_encode(). Up to 8 entries per list live in place, uninitialised, so an
// unused storage costs a few stores to make and a few tests to drop; longer lists take a
// block from `mr`, kept for the next send. Element types are trivial: the lists hand out raw
// storage that the caller constructs into. Throws std::bad_alloc only.
class send_storage {
 public:
  // mr NULL: malloc/free (looked up only when a list needs it).
  explicit send_storage(std::pmr::memory_resource* mr) noexcept : mr_(mr) {}
  ~send_storage() {
    if (!on_heap_) return;
    drop<user_property>(ups_list);
    drop<user_property>(will_ups_list);
    drop<subscription>(subs_list);
    drop<std::string_view>(filters_list);
  }
  send_storage(const send_storage&) = delete;
  send_storage& operator=(const send_storage&) = delete;

  // Room for n user properties (of a Will's block when `will`), subscriptions, topic filters.
  user_property* ups(std::size_t n, bool will) {
    return will ? room<user_property>(will_ups_list, will_ups_, n) : room<user_property>(ups_list, ups_, n);
  }
  subscription* subs(std::size_t n) { return room<subscription>(subs_list, subs_, n); }
  std::string_view* filters(std::size_t n) { return room<std::string_view>(filters_list, filters_, n); }

 private:
  static constexpr std::size_t in_place = 8;
  enum : unsigned { ups_list, will_ups_list, subs_list, filters_list, lists };

  template <class T>
  using local = std::byte[in_place * sizeof(T)];

  template <class T>
  T* room(unsigned i, local<T>& here, std::size_t n) {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
    if (n <= in_place) return reinterpret_cast<T*>(here);
    if (n <= cap_[i]) return static_cast<T*>(heap_[i]);
    if (mr_ == nullptr) mr_ = detail::malloc_resource();
    void* p = mr_->allocate(n * sizeof(T), alignof(T));  // may throw: nothing changed
    drop<T>(i);
    heap_[i] = p;
    cap_[i] = n;
    on_heap_ = true;
    return static_cast<T*>(p);
  }
  template <class T>
  void drop(unsigned i) noexcept {
    if (heap_[i] != nullptr) mr_->deallocate(heap_[i], cap_[i] * sizeof(T), alignof(T));
  }

  std::pmr::memory_resource* mr_;
  bool on_heap_ = false;          // some list has a block in heap_
  void* heap_[lists] = {};        // blocks from mr_, kept for the next send
  std::size_t cap_[lists] = {};
  alignas(user_property) local<user_property> ups_, will_ups_;
  alignas(subscription) local<subscription> subs_;
  alignas(std::string_view) local<std::string_view> filters_;
};

// Level codes: MQTTCONN_V31/V311/V5 to protocol_version; false if `v` is none of them.
inline bool version_from_c(int v, protocol_version& out) noexcept {
  if (v != MQTTCONN_V31 && v != MQTTCONN_V311 && v != MQTTCONN_V5) return false;
  out = static_cast<protocol_version>(v);
  return true;
}

// mqttconn_bytes <-> views.
inline mqttconn_bytes bytes_of(std::string_view s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline mqttconn_bytes bytes_of(binary b) noexcept { return {b.data(), b.size()}; }
// False for a NULL pointer with a nonzero length.
inline bool valid(const mqttconn_bytes& b) noexcept { return b.ptr != nullptr || b.len == 0; }
inline std::string_view view_of(const mqttconn_bytes& b) noexcept {
  return {reinterpret_cast<const char*>(b.ptr), b.len};
}
inline binary binary_of(const mqttconn_bytes& b) noexcept { return {b.ptr, b.len}; }

// --- Property blocks (convert_props.cpp), with the empty block inline ---------------------

using c_user_properties = std::pmr::vector<mqttconn_user_property>;
using c_ids = std::pmr::vector<std::uint32_t>;

void props_to_c_slow(const properties& p, mqttconn_properties& out, c_user_properties& ups, c_ids& ids);

// Sets `out` to p: present, the counts, and the values that are present (the others do not
// count and are left as they were). Throws std::bad_alloc only.
inline void props_to_c(const properties& p, mqttconn_properties& out, c_user_properties& ups, c_ids& ids) {
  if (p.empty()) {
    out.present = 0;
    out.user_property_count = 0;
    out.subscription_identifier_count = 0;
    return;
  }
  props_to_c_slow(p, out, ups, ids);
}

int props_from_c_slow(const mqttconn_properties& c, send_storage& s, bool will, properties& out, mistake& m);

// Sets `out` from the caller's block (NULL: none). OK, or the code of the first mistake
// (STRUCT_SIZE, ARGUMENT for NULL arrays and undefined ids, INVALID_PACKET for byte values the
// wire cannot carry), described in `m`.
// `will`: the block is a Will's (its user properties go to another array).
inline int props_from_c(const mqttconn_properties* c, send_storage& s, bool will, properties& out, mistake& m) {
  if (c == nullptr) return MQTTCONN_OK;
  return props_from_c_slow(*c, s, will, out, m);
}

}  // namespace mqttconn::capi
