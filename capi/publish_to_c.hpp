// A received PUBLISH straight into the C structs, for mqttconn_decode()'s hot path.
//
// The codec's PUBLISH decoder and property reader are templates over their destination
// (lib/codec/publish_rules.hpp, property_reader.hpp); these are the C destinations. Values go
// into the handle's property block as they are read, and user properties and subscription
// identifiers into the handle's arrays while those have room, so a block is read off the wire
// once. A list longer than its array so far is copied from the wire after the packet is known
// to be valid (the array grows then, and keeps its size for the next packet). The caller's
// mqttconn_packet is written only once the whole packet has read without a fault.
#pragma once

#include "../lib/codec/frame.hpp"
#include "../lib/codec/publish_rules.hpp"
#include "events.hpp"

namespace mqttconn::capi {

// A property destination (property_reader.hpp) writing into a C block.
class c_props_out {
 public:
  explicit c_props_out(event_storage& s) noexcept : s_(s) {}

#define MQTTCONN_C_SET(type, name, expr) \
  void set_##name(type v) noexcept {     \
    s_.props.name = expr;                \
    present_ |= c_prop_bit(property_id::name); \
  }
  MQTTCONN_C_SET(bool, payload_format_indicator, v)
  MQTTCONN_C_SET(std::uint32_t, message_expiry_interval, v)
  MQTTCONN_C_SET(std::string_view, content_type, bytes_of(v))
  MQTTCONN_C_SET(std::string_view, response_topic, bytes_of(v))
  MQTTCONN_C_SET(binary, correlation_data, bytes_of(v))
  MQTTCONN_C_SET(std::uint32_t, session_expiry_interval, v)
  MQTTCONN_C_SET(std::string_view, assigned_client_identifier, bytes_of(v))
  MQTTCONN_C_SET(std::uint16_t, server_keep_alive, v)
  MQTTCONN_C_SET(std::string_view, authentication_method, bytes_of(v))
  MQTTCONN_C_SET(binary, authentication_data, bytes_of(v))
  MQTTCONN_C_SET(bool, request_problem_information, v)
  MQTTCONN_C_SET(std::uint32_t, will_delay_interval, v)
  MQTTCONN_C_SET(bool, request_response_information, v)
  MQTTCONN_C_SET(std::string_view, response_information, bytes_of(v))
  MQTTCONN_C_SET(std::string_view, server_reference, bytes_of(v))
  MQTTCONN_C_SET(std::string_view, reason_string, bytes_of(v))
  MQTTCONN_C_SET(std::uint16_t, receive_maximum, v)
  MQTTCONN_C_SET(std::uint16_t, topic_alias_maximum, v)
  MQTTCONN_C_SET(std::uint16_t, topic_alias, v)
  MQTTCONN_C_SET(std::uint8_t, maximum_qos, v)
  MQTTCONN_C_SET(bool, retain_available, v)
  MQTTCONN_C_SET(std::uint32_t, maximum_packet_size, v)
  MQTTCONN_C_SET(bool, wildcard_subscription_available, v)
  MQTTCONN_C_SET(bool, subscription_identifier_available, v)
  MQTTCONN_C_SET(bool, shared_subscription_available, v)
#undef MQTTCONN_C_SET

  bool has(property_id i) const noexcept { return (present_ & c_prop_bit(i)) != 0; }
  std::optional<bool> payload_format_indicator() const noexcept {
    if (!has(property_id::payload_format_indicator)) return std::nullopt;
    return s_.props.payload_format_indicator != 0;
  }

  // The lists: each element as it is read, into the array while it has room...
  void add_user_property(std::string_view name, std::string_view value) noexcept {
    if (users_ < s_.ups.size()) s_.ups[users_] = {bytes_of(name), bytes_of(value)};
    ++users_;
  }
  void add_subscription_identifier(std::uint32_t v) noexcept {
    if (sub_ids_ < s_.sub_ids.size()) s_.sub_ids[sub_ids_] = v;
    ++sub_ids_;
  }
  // ... and the whole list at the end of the block, read again only if it did not fit.
  void set_user_properties(wire_list<user_property> l) noexcept {
    present_ |= c_prop_bit(property_id::user_property);
    if (users_ > s_.ups.size()) user_wire_.emplace(l);
  }
  void set_subscription_identifiers(wire_list<std::uint32_t> l) noexcept {
    present_ |= c_prop_bit(property_id::subscription_identifier);
    if (sub_ids_ > s_.sub_ids.size()) sub_id_wire_.emplace(l);
  }

  // Completes the block once the packet read without a fault. Throws std::bad_alloc only.
  void finish() {
    s_.props.present = present_;
    s_.props.user_property_count = users_;
    s_.props.subscription_identifier_count = sub_ids_;
    if (users_ == 0 && sub_ids_ == 0) [[likely]] return;
    if (user_wire_) list_to_c(*user_wire_, s_.ups);
    if (sub_id_wire_) list_to_c(*sub_id_wire_, s_.sub_ids);
    s_.props.user_properties = s_.ups.data();
    s_.props.subscription_identifiers = s_.sub_ids.data();
  }

 private:
  event_storage& s_;
  std::uint64_t present_ = 0;
  std::size_t users_ = 0, sub_ids_ = 0;
  // The lists that outgrew their arrays (optional: an empty one costs a flag to make).
  std::optional<wire_list<user_property>> user_wire_;
  std::optional<wire_list<std::uint32_t>> sub_id_wire_;
};

// A PUBLISH destination (publish_rules.hpp), its block in the handle's storage.
using c_publish_out = c_publish_fields<c_props_out>;

// Decodes the PUBLISH whose fixed header is h (frame: its first byte) into `out`, its property
// block into `s`. False, with `out` untouched, if the packet has a fault: the error is in `e`
// (partly: the caller asks decode() for the whole of it). Throws std::bad_alloc only. Forced
// inline: clang 14 would keep it a call (24 instructions more per W1 packet).
[[gnu::always_inline]] inline bool publish_to_c(const std::uint8_t* frame, const detail::fixed_header& h,
                                                protocol_version v, const decode_options& o, event_storage& s,
                                                error& e, mqttconn_packet& out) {
  detail::reader r(frame + h.size, frame + h.total(), frame, o, &e);
  c_publish_out p(s);
  detail::decode_publish(r, h.first & 0x0F, v, p);
  if (r.failed()) [[unlikely]] return false;
  p.props.finish();
  events::put_publish(p, s, out);
  return true;
}

}  // namespace mqttconn::capi
