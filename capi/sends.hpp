// mqttconn_packet -> C++ packet, for sends (connection) and mqttconn_encode().
//
// from_c(c, s, out, m) builds the packet of out's kind from the caller's `c` (already checked:
// non-NULL, struct_size). It returns MQTTCONN_OK, or the code of the first mistake found,
// described in `m`: ARGUMENT for NULL arrays and strings with a length and for values out of an
// enum's range (QoS, retain handling, protocol level), STRUCT_SIZE for a property block, and
// INVALID_PACKET for property bytes the wire cannot carry. Other fields are the encoder's to
// judge. Views point into the caller's memory and into s. Throws std::bad_alloc only.
#pragma once

#include "../lib/codec/publish_rules.hpp"
#include "convert.hpp"

namespace mqttconn::capi {
namespace sends {

inline int qos_of(std::uint8_t v, qos& out, const char* field, mistake& m) noexcept {
  if (v > 2) return m.set(MQTTCONN_ERR_ARGUMENT, field, "is not 0, 1 or 2");
  out = static_cast<qos>(v);
  return MQTTCONN_OK;
}

inline int text(const mqttconn_bytes& b, std::string_view& out, const char* field, mistake& m) noexcept {
  if (!valid(b)) return m.set(MQTTCONN_ERR_ARGUMENT, field, "is NULL with a nonzero length");
  out = view_of(b);
  return MQTTCONN_OK;
}

inline int data(const mqttconn_bytes& b, binary& out, const char* field, mistake& m) noexcept {
  if (!valid(b)) return m.set(MQTTCONN_ERR_ARGUMENT, field, "is NULL with a nonzero length");
  out = binary_of(b);
  return MQTTCONN_OK;
}

}  // namespace sends

#define MQTTCONN_TRY(expr)                                           \
  do {                                                               \
    if (const int rc_ = (expr); rc_ != MQTTCONN_OK) return rc_;      \
  } while (0)

inline int from_c(const mqttconn_packet& c, send_storage& s, connect& out, mistake& m) {
  using namespace sends;
  if (!version_from_c(c.protocol_version, out.version)) {
    return m.set(MQTTCONN_ERR_ARGUMENT, "protocol_version", "is not 3, 4 or 5");
  }
  out.bridge = c.bridge != 0;
  out.clean_start = c.clean_start != 0;
  out.keep_alive = c.keep_alive;
  MQTTCONN_TRY(text(c.client_id, out.client_id, "client_id", m));
  if (c.has_will) {
    will_message& w = out.will.emplace();
    MQTTCONN_TRY(qos_of(c.will_qos, w.qos, "will_qos", m));
    w.retain = c.will_retain != 0;
    MQTTCONN_TRY(text(c.will_topic, w.topic, "will_topic", m));
    MQTTCONN_TRY(data(c.will_payload, w.payload, "will_payload", m));
    MQTTCONN_TRY(props_from_c(c.will_props, s, true, w.props, m));
  }
  if (c.has_username) MQTTCONN_TRY(text(c.username, out.username.emplace(), "username", m));
  if (c.has_password) MQTTCONN_TRY(data(c.password, out.password.emplace(), "password", m));
  return props_from_c(c.props, s, false, out.props, m);
}

inline int from_c(const mqttconn_packet& c, send_storage& s, connack& out, mistake& m) {
  out.session_present = c.session_present != 0;
  out.reason_code = c.reason_code;
  return props_from_c(c.props, s, false, out.props, m);
}

// A caller's PUBLISH as the source of the codec's PUBLISH encoder (lib/codec/publish_rules.hpp):
// publish's members, viewing the caller's memory, so mqttconn_encode() encodes without building
// a C++ packet. check(), first_byte() and put_body() are found by the codec's encoder driver
// (lib/codec/encode.hpp) through this type.
struct c_publish_view : c_publish_fields<c_properties_view> {
  using encodes_as = publish;
};

// A caller's property block as a view, or the code of its first mistake. Not inline, so that
// view_from_c() stays small enough to inline for the PUBLISH without properties.
[[gnu::noinline]] inline int props_view_from_c(const mqttconn_properties& c, c_properties_view& out,
                                               mistake& m) noexcept {
  MQTTCONN_TRY(props_mistake(c, m));
  out = c_properties_view(c);
  return MQTTCONN_OK;
}

// The first mistake in the fields of a caller's PUBLISH, which has one (view_from_c()).
[[gnu::cold]] inline int publish_mistake(const mqttconn_packet& c, mistake& m) noexcept {
  using namespace sends;
  c_publish_view unused;
  MQTTCONN_TRY(qos_of(c.qos, unused.qos, "qos", m));
  MQTTCONN_TRY(text(c.topic, unused.topic, "topic", m));
  MQTTCONN_TRY(data(c.payload, unused.payload, "payload", m));
  return m.set(MQTTCONN_ERR_INTERNAL, "PUBLISH", "has no mistake");  // unreachable
}

// Fills `out` from the caller's PUBLISH; OK or the code of the first mistake, as from_c(). The
// fields are tested together, and looked at one by one only when one of them is wrong.
inline int view_from_c(const mqttconn_packet& c, c_publish_view& out, mistake& m) noexcept {
  if (c.qos > 2 || !valid(c.topic) || !valid(c.payload)) [[unlikely]] return publish_mistake(c, m);
  out.dup = c.dup != 0;
  out.qos = static_cast<qos>(c.qos);
  out.retain = c.retain != 0;
  out.topic = view_of(c.topic);
  out.packet_id = c.packet_id;
  out.payload = binary_of(c.payload);
  if (c.props != nullptr) return props_view_from_c(*c.props, out.props, m);
  return MQTTCONN_OK;
}

inline bool check(const c_publish_view& p, protocol_version v, detail::tx_check& c) noexcept {
  return detail::check_publish(p, v, c);
}
inline std::uint8_t first_byte(const c_publish_view& p, protocol_version) noexcept {
  return detail::publish_first_byte(p);
}
template <class Sink>
void put_body(Sink& s, const c_publish_view& p, protocol_version v) noexcept {
  detail::put_publish_body(s, p, v);
}

inline int from_c(const mqttconn_packet& c, send_storage& s, publish& out, mistake& m) {
  c_publish_view view;
  MQTTCONN_TRY(view_from_c(c, view, m));
  out.dup = view.dup;
  out.qos = view.qos;
  out.retain = view.retain;
  out.topic = view.topic;
  out.packet_id = view.packet_id;
  out.payload = view.payload;
  if (c.props != nullptr) props_convert(*c.props, s, false, out.props);
  return MQTTCONN_OK;
}

template <class Ack>
  requires std::is_same_v<Ack, puback> || std::is_same_v<Ack, pubrec> || std::is_same_v<Ack, pubrel> ||
           std::is_same_v<Ack, pubcomp>
int from_c(const mqttconn_packet& c, send_storage& s, Ack& out, mistake& m) {
  out.packet_id = c.packet_id;
  out.reason_code = c.reason_code;
  if constexpr (std::is_same_v<Ack, pubrel>) out.dup = c.dup != 0;
  return props_from_c(c.props, s, false, out.props, m);
}

inline int from_c(const mqttconn_packet& c, send_storage& s, subscribe& out, mistake& m) {
  using namespace sends;
  out.packet_id = c.packet_id;
  out.dup = c.dup != 0;
  const std::size_t n = c.subscription_count;
  if (n != 0 && c.subscriptions == nullptr) return m.set(MQTTCONN_ERR_ARGUMENT, "subscriptions", "array is NULL");
  subscription* list = s.subs(n);
  for (std::size_t i = 0; i < n; ++i) {
    const mqttconn_subscription& x = c.subscriptions[i];
    subscription* y = ::new (static_cast<void*>(list + i)) subscription{};
    MQTTCONN_TRY(text(x.topic_filter, y->topic_filter, "subscription topic_filter", m));
    MQTTCONN_TRY(qos_of(x.qos, y->max_qos, "subscription qos", m));
    if (x.retain_handling > 2) return m.set(MQTTCONN_ERR_ARGUMENT, "subscription retain_handling", "is not 0, 1 or 2");
    y->no_local = x.no_local != 0;
    y->retain_as_published = x.retain_as_published != 0;
    y->retain_handling = x.retain_handling;
  }
  out.subscriptions = std::span<const subscription>(list, n);
  return props_from_c(c.props, s, false, out.props, m);
}

inline int from_c(const mqttconn_packet& c, send_storage& s, suback& out, mistake& m) {
  out.packet_id = c.packet_id;
  MQTTCONN_TRY(sends::data(c.reason_codes, out.reason_codes, "reason_codes", m));
  return props_from_c(c.props, s, false, out.props, m);
}

inline int from_c(const mqttconn_packet& c, send_storage& s, unsubscribe& out, mistake& m) {
  out.packet_id = c.packet_id;
  out.dup = c.dup != 0;
  const std::size_t n = c.topic_filter_count;
  if (n != 0 && c.topic_filters == nullptr) return m.set(MQTTCONN_ERR_ARGUMENT, "topic_filters", "array is NULL");
  std::string_view* list = s.filters(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::string_view* f = ::new (static_cast<void*>(list + i)) std::string_view();
    MQTTCONN_TRY(sends::text(c.topic_filters[i], *f, "topic_filters", m));
  }
  out.topic_filters = std::span<const std::string_view>(list, n);
  return props_from_c(c.props, s, false, out.props, m);
}

inline int from_c(const mqttconn_packet& c, send_storage& s, unsuback& out, mistake& m) {
  out.packet_id = c.packet_id;
  MQTTCONN_TRY(sends::data(c.reason_codes, out.reason_codes, "reason_codes", m));
  return props_from_c(c.props, s, false, out.props, m);
}

inline int from_c(const mqttconn_packet&, send_storage&, pingreq&, mistake&) { return MQTTCONN_OK; }
inline int from_c(const mqttconn_packet&, send_storage&, pingresp&, mistake&) { return MQTTCONN_OK; }

inline int from_c(const mqttconn_packet& c, send_storage& s, disconnect& out, mistake& m) {
  out.reason_code = c.reason_code;
  return props_from_c(c.props, s, false, out.props, m);
}

inline int from_c(const mqttconn_packet& c, send_storage& s, auth& out, mistake& m) {
  out.reason_code = c.reason_code;
  return props_from_c(c.props, s, false, out.props, m);
}

#undef MQTTCONN_TRY

}  // namespace mqttconn::capi
