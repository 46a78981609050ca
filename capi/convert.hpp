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
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../lib/codec/property_table.hpp"
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

// Copies a list read off the wire into `into`, kept at its largest size so far (growing it
// is the only allocation of an event), and returns its length. Throws std::bad_alloc only.
std::size_t list_to_c(const wire_list<user_property>& list, c_user_properties& into);
std::size_t list_to_c(const wire_list<std::uint32_t>& list, c_ids& into);

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

// Property ids by what a send checks of them (bit n: id n), from the codec's Table 2-4.
constexpr std::uint64_t c_prop_bit(property_id i) noexcept { return std::uint64_t{1} << static_cast<unsigned>(i); }
// Every property id 5.0 defines.
inline constexpr std::uint64_t c_known_ids = [] {
  std::uint64_t m = 0;
  for (unsigned i = 0; i < detail::property_table.size(); ++i) {
    if (detail::property_table[i].type != detail::wire_type::none) m |= std::uint64_t{1} << i;
  }
  return m;
}();
// The lists: present by their counts, not by their bits.
inline constexpr std::uint64_t c_list_ids = detail::list_properties;
// Strings and binaries: a NULL pointer with a length is ARGUMENT.
inline constexpr std::uint64_t c_bytes_ids =
    detail::properties_of_type(detail::wire_type::text) | detail::properties_of_type(detail::wire_type::data);
// Byte properties that C++ keeps as bool (all but Maximum QoS): only 0 and 1 can go on the
// wire (INVALID_PACKET).
inline constexpr std::uint64_t c_flag_ids = detail::two_byte_properties & ~c_prop_bit(property_id::maximum_qos);

// The value of property `i` (one of c_bytes_ids or c_flag_ids) of a caller's block: OK, or the
// mistake it is.
inline int prop_value_mistake(const mqttconn_properties& c, property_id i, mistake& m) noexcept {
  using id = property_id;
  auto text = [&m](const mqttconn_bytes& b, const char* field) {
    return valid(b) ? MQTTCONN_OK : m.set(MQTTCONN_ERR_ARGUMENT, field, "is NULL with a nonzero length");
  };
  auto flag = [&m](std::uint8_t v, const char* field) {
    return v <= 1 ? MQTTCONN_OK : m.set(MQTTCONN_ERR_INVALID_PACKET, field, "is not 0 or 1");
  };
  switch (i) {
    case id::payload_format_indicator: return flag(c.payload_format_indicator, "Payload Format Indicator");
    case id::content_type: return text(c.content_type, "Content Type");
    case id::response_topic: return text(c.response_topic, "Response Topic");
    case id::correlation_data: return text(c.correlation_data, "Correlation Data");
    case id::assigned_client_identifier: return text(c.assigned_client_identifier, "Assigned Client Identifier");
    case id::authentication_method: return text(c.authentication_method, "Authentication Method");
    case id::authentication_data: return text(c.authentication_data, "Authentication Data");
    case id::request_problem_information:
      return flag(c.request_problem_information, "Request Problem Information");
    case id::request_response_information:
      return flag(c.request_response_information, "Request Response Information");
    case id::response_information: return text(c.response_information, "Response Information");
    case id::server_reference: return text(c.server_reference, "Server Reference");
    case id::reason_string: return text(c.reason_string, "Reason String");
    case id::retain_available: return flag(c.retain_available, "Retain Available");
    case id::wildcard_subscription_available:
      return flag(c.wildcard_subscription_available, "Wildcard Subscription Available");
    case id::subscription_identifier_available:
      return flag(c.subscription_identifier_available, "Subscription Identifier Available");
    case id::shared_subscription_available:
      return flag(c.shared_subscription_available, "Shared Subscription Available");
    default: return MQTTCONN_OK;
  }
}

// The caller's mistakes in a property block to send, looked for in this order: STRUCT_SIZE, an
// id 5.0 does not define (ARGUMENT), then by ascending id the values that cannot be sent
// (prop_value_mistake), then NULL list arrays and user properties (ARGUMENT). OK if none;
// otherwise the code of the first, described in `m`. What the wire's rules refuse is the
// encoder's to judge (lib/codec/properties.hpp).
inline int props_mistake(const mqttconn_properties& c, mistake& m) noexcept {
  if (c.struct_size < first_release_size<mqttconn_properties>) [[unlikely]] {
    return m.set(MQTTCONN_ERR_STRUCT_SIZE, "properties", "have a struct_size below the first release's");
  }
  if (c.present & ~c_known_ids) [[unlikely]] {
    return m.set(MQTTCONN_ERR_ARGUMENT, "properties", "mark a property id that MQTT 5.0 does not define");
  }
  for (std::uint64_t b = c.present & (c_bytes_ids | c_flag_ids); b != 0; b &= b - 1) {
    const int rc = prop_value_mistake(c, static_cast<property_id>(__builtin_ctzll(b)), m);
    if (rc != MQTTCONN_OK) [[unlikely]] return rc;
  }
  if (const std::size_t n = c.user_property_count; n != 0) {
    if (c.user_properties == nullptr) [[unlikely]] {
      return m.set(MQTTCONN_ERR_ARGUMENT, "User Property", "array is NULL");
    }
    for (std::size_t i = 0; i < n; ++i) {
      const mqttconn_user_property& u = c.user_properties[i];
      if (!valid(u.name) || !valid(u.value)) [[unlikely]] {
        return m.set(MQTTCONN_ERR_ARGUMENT, "User Property", "is NULL with a nonzero length");
      }
    }
  }
  if (c.subscription_identifier_count != 0 && c.subscription_identifiers == nullptr) [[unlikely]] {
    return m.set(MQTTCONN_ERR_ARGUMENT, "Subscription Identifier", "array is NULL");
  }
  return MQTTCONN_OK;
}

// A caller's property block as a property source of the codec's encoder templates
// (lib/codec/properties.hpp): the encoder reads the C struct itself, nothing is converted.
// Only for a block props_mistake() accepted (flags are then 0 or 1, no pointer is NULL with a
// length). The lists are present by their counts, as in props_from_c().
class c_properties_view {
 public:
  c_properties_view() noexcept = default;  // no block
  explicit c_properties_view(const mqttconn_properties& c) noexcept
      : c_(&c),
        present_((c.present & ~c_list_ids) |
                 (c.user_property_count != 0 ? c_prop_bit(property_id::user_property) : 0) |
                 (c.subscription_identifier_count != 0 ? c_prop_bit(property_id::subscription_identifier) : 0)) {}

  std::uint64_t present() const noexcept { return present_; }
  bool has(property_id i) const noexcept { return (present_ & c_prop_bit(i)) != 0; }
  bool empty() const noexcept { return present_ == 0; }

#define MQTTCONN_C_VALUE(type, name, expr) \
  std::optional<type> name() const noexcept { return expr; }
  MQTTCONN_C_VALUE(bool, payload_format_indicator, c_->payload_format_indicator != 0)
  MQTTCONN_C_VALUE(std::uint32_t, message_expiry_interval, c_->message_expiry_interval)
  MQTTCONN_C_VALUE(std::string_view, content_type, view_of(c_->content_type))
  MQTTCONN_C_VALUE(std::string_view, response_topic, view_of(c_->response_topic))
  MQTTCONN_C_VALUE(binary, correlation_data, binary_of(c_->correlation_data))
  MQTTCONN_C_VALUE(std::uint32_t, session_expiry_interval, c_->session_expiry_interval)
  MQTTCONN_C_VALUE(std::string_view, assigned_client_identifier, view_of(c_->assigned_client_identifier))
  MQTTCONN_C_VALUE(std::uint16_t, server_keep_alive, c_->server_keep_alive)
  MQTTCONN_C_VALUE(std::string_view, authentication_method, view_of(c_->authentication_method))
  MQTTCONN_C_VALUE(binary, authentication_data, binary_of(c_->authentication_data))
  MQTTCONN_C_VALUE(bool, request_problem_information, c_->request_problem_information != 0)
  MQTTCONN_C_VALUE(std::uint32_t, will_delay_interval, c_->will_delay_interval)
  MQTTCONN_C_VALUE(bool, request_response_information, c_->request_response_information != 0)
  MQTTCONN_C_VALUE(std::string_view, response_information, view_of(c_->response_information))
  MQTTCONN_C_VALUE(std::string_view, server_reference, view_of(c_->server_reference))
  MQTTCONN_C_VALUE(std::string_view, reason_string, view_of(c_->reason_string))
  MQTTCONN_C_VALUE(std::uint16_t, receive_maximum, c_->receive_maximum)
  MQTTCONN_C_VALUE(std::uint16_t, topic_alias_maximum, c_->topic_alias_maximum)
  MQTTCONN_C_VALUE(std::uint16_t, topic_alias, c_->topic_alias)
  MQTTCONN_C_VALUE(std::uint8_t, maximum_qos, c_->maximum_qos)
  MQTTCONN_C_VALUE(bool, retain_available, c_->retain_available != 0)
  MQTTCONN_C_VALUE(std::uint32_t, maximum_packet_size, c_->maximum_packet_size)
  MQTTCONN_C_VALUE(bool, wildcard_subscription_available, c_->wildcard_subscription_available != 0)
  MQTTCONN_C_VALUE(bool, subscription_identifier_available, c_->subscription_identifier_available != 0)
  MQTTCONN_C_VALUE(bool, shared_subscription_available, c_->shared_subscription_available != 0)
#undef MQTTCONN_C_VALUE

  std::span<const std::uint32_t> subscription_identifiers() const noexcept {
    return {c_->subscription_identifiers, c_->subscription_identifier_count};
  }

  // The caller's user properties, seen one by one as user_property.
  class user_property_list {
   public:
    struct iterator {
      const mqttconn_user_property* at;
      user_property operator*() const noexcept { return {view_of(at->name), view_of(at->value)}; }
      iterator& operator++() noexcept {
        ++at;
        return *this;
      }
      bool operator==(const iterator&) const noexcept = default;
    };
    user_property_list(const mqttconn_user_property* items, std::size_t n) noexcept : items_(items), n_(n) {}
    iterator begin() const noexcept { return {items_}; }
    iterator end() const noexcept { return {items_ + n_}; }
    std::size_t size() const noexcept { return n_; }

   private:
    const mqttconn_user_property* items_;
    std::size_t n_;
  };
  user_property_list user_properties() const noexcept { return {c_->user_properties, c_->user_property_count}; }

 private:
  const mqttconn_properties* c_ = nullptr;
  std::uint64_t present_ = 0;
};

// publish's members, as the codec's PUBLISH templates (lib/codec/publish_rules.hpp) read or
// write them, with the property block on the C side: a view of the caller's block to encode
// (c_publish_view, sends.hpp) or a destination in the handle's storage to decode into
// (c_publish_out, publish_to_c.hpp). Arguments of the constructor go to the block.
template <class Props>
struct c_publish_fields {
  template <class... A>
    requires std::is_constructible_v<Props, A&&...>  // not a copy
  explicit c_publish_fields(A&&... a) noexcept : props(std::forward<A>(a)...) {}

  bool dup = false;
  mqttconn::qos qos = mqttconn::qos::at_most_once;
  bool retain = false;
  std::string_view topic;
  std::uint16_t packet_id = 0;
  Props props;
  binary payload;
};

// Sets `out` from a caller's block that props_mistake() accepted. Throws std::bad_alloc only.
// `will`: the block is a Will's (its user properties go to another array).
void props_convert(const mqttconn_properties& c, send_storage& s, bool will, properties& out);

// Sets `out` from the caller's block (NULL: none). OK, or the code of the first mistake
// (props_mistake()), described in `m`. Throws std::bad_alloc only.
inline int props_from_c(const mqttconn_properties* c, send_storage& s, bool will, properties& out, mistake& m) {
  if (c == nullptr) return MQTTCONN_OK;
  if (const int rc = props_mistake(*c, m); rc != MQTTCONN_OK) return rc;
  props_convert(*c, s, will, out);
  return MQTTCONN_OK;
}

}  // namespace mqttconn::capi
