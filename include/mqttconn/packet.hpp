// The packet model: one type per control packet kind, for protocol levels 3, 4 and 5.
//
// Packets are views: strings, binary fields, lists and payloads point into the bytes they were
// decoded from, or into the caller's data when they are about to be encoded. Fields that a
// level does not have stay at their defaults there (no properties before 5.0, no reason codes
// on 3.x acks); the encoder refuses a packet that sets them, the decoder never fills them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>
#include <variant>

#include "mqttconn/properties.hpp"
#include "mqttconn/types.hpp"
#include "mqttconn/wire_list.hpp"

namespace mqttconn {

// The Will of a CONNECT (Will Flag = 1).
struct will_message {
  std::string_view topic;
  binary payload;
  mqttconn::qos qos = mqttconn::qos::at_most_once;
  bool retain = false;
  properties props;  // 5.0 Will Properties
  friend bool operator==(const will_message&, const will_message&) = default;
};

struct connect {
  protocol_version version = protocol_version::v5;  // level 3 is sent as "MQIsdp"
  bool bridge = false;       // bit 7 of the level byte, as broker bridges send it
  bool clean_start = true;   // Clean Session in 3.x
  std::uint16_t keep_alive = 0;
  std::string_view client_id;
  std::optional<will_message> will;
  std::optional<std::string_view> username;
  std::optional<binary> password;  // 3.x: only with a username [MQTT-3.1.2-22 v3.1.1]
  properties props;
  friend bool operator==(const connect&, const connect&) = default;
};

struct connack {
  bool session_present = false;  // not on the wire at level 3
  std::uint8_t reason_code = 0;  // 3.x: the return code 0..5
  properties props;
  friend bool operator==(const connack&, const connack&) = default;
};

struct publish {
  bool dup = false;
  mqttconn::qos qos = mqttconn::qos::at_most_once;
  bool retain = false;
  std::string_view topic;       // 5.0: may be empty when props.topic_alias is set
  std::uint16_t packet_id = 0;  // only on the wire when qos > 0, and then non-zero
  properties props;
  binary payload;
  friend bool operator==(const publish&, const publish&) = default;
};

// The four acknowledgements of the QoS 1 and QoS 2 flows. In 3.x they carry only the id.
struct puback {
  std::uint16_t packet_id = 0;
  std::uint8_t reason_code = 0;
  properties props;
  friend bool operator==(const puback&, const puback&) = default;
};
struct pubrec {
  std::uint16_t packet_id = 0;
  std::uint8_t reason_code = 0;
  properties props;
  friend bool operator==(const pubrec&, const pubrec&) = default;
};
struct pubrel {
  std::uint16_t packet_id = 0;
  std::uint8_t reason_code = 0;
  properties props;
  bool dup = false;  // level 3 only: 3.1 lets a resent PUBREL carry DUP [V31-D06]
  friend bool operator==(const pubrel&, const pubrel&) = default;
};
struct pubcomp {
  std::uint16_t packet_id = 0;
  std::uint8_t reason_code = 0;
  properties props;
  friend bool operator==(const pubcomp&, const pubcomp&) = default;
};

struct subscribe {
  std::uint16_t packet_id = 0;
  properties props;
  wire_list<subscription> subscriptions;  // at least one
  bool dup = false;                       // level 3 only [V31-D06]
  friend bool operator==(const subscribe&, const subscribe&) = default;
};

struct suback {
  std::uint16_t packet_id = 0;
  properties props;
  binary reason_codes;  // one per filter: granted QoS 0..2, 0x80 (3.1.1), or 5.0 codes
  friend bool operator==(const suback&, const suback&) = default;
};

struct unsubscribe {
  std::uint16_t packet_id = 0;
  properties props;
  wire_list<std::string_view> topic_filters;  // at least one
  bool dup = false;                           // level 3 only [V31-D06]
  friend bool operator==(const unsubscribe&, const unsubscribe&) = default;
};

struct unsuback {
  std::uint16_t packet_id = 0;
  properties props;
  binary reason_codes;  // 5.0 only: one per filter; empty in 3.x
  friend bool operator==(const unsuback&, const unsuback&) = default;
};

struct pingreq {
  friend bool operator==(const pingreq&, const pingreq&) = default;
};
struct pingresp {
  friend bool operator==(const pingresp&, const pingresp&) = default;
};

struct disconnect {
  std::uint8_t reason_code = 0;  // 5.0 only
  properties props;
  friend bool operator==(const disconnect&, const disconnect&) = default;
};

struct auth {  // 5.0 only
  std::uint8_t reason_code = 0;
  properties props;
  friend bool operator==(const auth&, const auth&) = default;
};

// Any packet; the alternative index + 1 is the packet type number.
using packet = std::variant<connect, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe,
                            suback, unsubscribe, unsuback, pingreq, pingresp, disconnect, auth>;

inline packet_type type_of(const packet& p) noexcept {
  return static_cast<packet_type>(p.index() + 1);
}

namespace detail {
template <class P, class... Ts>
constexpr std::size_t index_in(const std::variant<Ts...>*) noexcept {
  constexpr bool same[] = {std::is_same_v<P, Ts>...};
  std::size_t i = 0;
  while (i < sizeof...(Ts) && !same[i]) ++i;
  return i;
}
}  // namespace detail

// The packet type of a packet struct: packet_type_of<publish> == packet_type::publish.
template <class P>
inline constexpr packet_type packet_type_of =
    static_cast<packet_type>(detail::index_in<P>(static_cast<const packet*>(nullptr)) + 1);

// Named reason codes of 5.0 §2.4 (Table 2-6), for readability at call sites.
namespace reason {
inline constexpr std::uint8_t success = 0x00;
inline constexpr std::uint8_t normal_disconnection = 0x00;
inline constexpr std::uint8_t granted_qos_0 = 0x00;
inline constexpr std::uint8_t granted_qos_1 = 0x01;
inline constexpr std::uint8_t granted_qos_2 = 0x02;
inline constexpr std::uint8_t disconnect_with_will_message = 0x04;
inline constexpr std::uint8_t no_matching_subscribers = 0x10;
inline constexpr std::uint8_t no_subscription_existed = 0x11;
inline constexpr std::uint8_t continue_authentication = 0x18;
inline constexpr std::uint8_t re_authenticate = 0x19;
inline constexpr std::uint8_t unspecified_error = 0x80;
inline constexpr std::uint8_t malformed_packet = 0x81;
inline constexpr std::uint8_t protocol_error = 0x82;
inline constexpr std::uint8_t implementation_specific_error = 0x83;
inline constexpr std::uint8_t unsupported_protocol_version = 0x84;
inline constexpr std::uint8_t client_identifier_not_valid = 0x85;
inline constexpr std::uint8_t bad_user_name_or_password = 0x86;
inline constexpr std::uint8_t not_authorized = 0x87;
inline constexpr std::uint8_t server_unavailable = 0x88;
inline constexpr std::uint8_t server_busy = 0x89;
inline constexpr std::uint8_t banned = 0x8A;
inline constexpr std::uint8_t server_shutting_down = 0x8B;
inline constexpr std::uint8_t bad_authentication_method = 0x8C;
inline constexpr std::uint8_t keep_alive_timeout = 0x8D;
inline constexpr std::uint8_t session_taken_over = 0x8E;
inline constexpr std::uint8_t topic_filter_invalid = 0x8F;
inline constexpr std::uint8_t topic_name_invalid = 0x90;
inline constexpr std::uint8_t packet_identifier_in_use = 0x91;
inline constexpr std::uint8_t packet_identifier_not_found = 0x92;
inline constexpr std::uint8_t receive_maximum_exceeded = 0x93;
inline constexpr std::uint8_t topic_alias_invalid = 0x94;
inline constexpr std::uint8_t packet_too_large = 0x95;
inline constexpr std::uint8_t message_rate_too_high = 0x96;
inline constexpr std::uint8_t quota_exceeded = 0x97;
inline constexpr std::uint8_t administrative_action = 0x98;
inline constexpr std::uint8_t payload_format_invalid = 0x99;
inline constexpr std::uint8_t retain_not_supported = 0x9A;
inline constexpr std::uint8_t qos_not_supported = 0x9B;
inline constexpr std::uint8_t use_another_server = 0x9C;
inline constexpr std::uint8_t server_moved = 0x9D;
inline constexpr std::uint8_t shared_subscriptions_not_supported = 0x9E;
inline constexpr std::uint8_t connection_rate_exceeded = 0x9F;
inline constexpr std::uint8_t maximum_connect_time = 0xA0;
inline constexpr std::uint8_t subscription_identifiers_not_supported = 0xA1;
inline constexpr std::uint8_t wildcard_subscriptions_not_supported = 0xA2;
}  // namespace reason

}  // namespace mqttconn
