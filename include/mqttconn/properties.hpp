// MQTT 5.0 properties (5.0 §2.2.2, Table 2-4): all 27 of them, lossless.
//
// Every property is an optional member: absent and present-with-default-value are different
// things on the wire and stay different here. User Properties keep order and repeats, and a
// PUBLISH may carry several Subscription Identifiers. The properties of different ids are
// written in ascending id order by the encoder; their order on the wire carries no meaning.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "mqttconn/types.hpp"
#include "mqttconn/wire_list.hpp"

namespace mqttconn {

// Property identifiers.
enum class property_id : std::uint8_t {
  payload_format_indicator = 0x01,
  message_expiry_interval = 0x02,
  content_type = 0x03,
  response_topic = 0x08,
  correlation_data = 0x09,
  subscription_identifier = 0x0B,
  session_expiry_interval = 0x11,
  assigned_client_identifier = 0x12,
  server_keep_alive = 0x13,
  authentication_method = 0x15,
  authentication_data = 0x16,
  request_problem_information = 0x17,
  will_delay_interval = 0x18,
  request_response_information = 0x19,
  response_information = 0x1A,
  server_reference = 0x1C,
  reason_string = 0x1F,
  receive_maximum = 0x21,
  topic_alias_maximum = 0x22,
  topic_alias = 0x23,
  maximum_qos = 0x24,
  retain_available = 0x25,
  user_property = 0x26,
  maximum_packet_size = 0x27,
  wildcard_subscription_available = 0x28,
  subscription_identifier_available = 0x29,
  shared_subscription_available = 0x2A,
};

// "Message Expiry Interval", ...; "unknown" for ids 5.0 does not define. Never null.
const char* to_string(property_id id) noexcept;

// Where a property block sits; decides which properties are allowed (Table 2-4).
enum class property_scope : std::uint8_t {
  connect, will, connack, publish, puback, pubrec, pubrel, pubcomp,
  subscribe, suback, unsubscribe, unsuback, disconnect, auth,
};

// True if `id` may appear in a property block of `scope`.
bool property_allowed(property_id id, property_scope scope) noexcept;

struct properties {
  // Byte-valued properties whose only legal values are 0 and 1 are bools.
  std::optional<bool> payload_format_indicator;                 // 0x01 PUBLISH, Will
  std::optional<std::uint32_t> message_expiry_interval;         // 0x02 PUBLISH, Will
  std::optional<std::string_view> content_type;                 // 0x03 PUBLISH, Will
  std::optional<std::string_view> response_topic;               // 0x08 PUBLISH, Will
  std::optional<binary> correlation_data;                       // 0x09 PUBLISH, Will
  wire_list<std::uint32_t> subscription_identifiers;            // 0x0B PUBLISH (n), SUBSCRIBE (1)
  std::optional<std::uint32_t> session_expiry_interval;         // 0x11 CONNECT, CONNACK, DISCONNECT
  std::optional<std::string_view> assigned_client_identifier;   // 0x12 CONNACK
  std::optional<std::uint16_t> server_keep_alive;               // 0x13 CONNACK
  std::optional<std::string_view> authentication_method;        // 0x15 CONNECT, CONNACK, AUTH
  std::optional<binary> authentication_data;                    // 0x16 CONNECT, CONNACK, AUTH
  std::optional<bool> request_problem_information;              // 0x17 CONNECT
  std::optional<std::uint32_t> will_delay_interval;             // 0x18 Will
  std::optional<bool> request_response_information;             // 0x19 CONNECT
  std::optional<std::string_view> response_information;         // 0x1A CONNACK
  std::optional<std::string_view> server_reference;             // 0x1C CONNACK, DISCONNECT
  std::optional<std::string_view> reason_string;                // 0x1F acks, DISCONNECT, AUTH
  std::optional<std::uint16_t> receive_maximum;                 // 0x21 CONNECT, CONNACK (1..)
  std::optional<std::uint16_t> topic_alias_maximum;             // 0x22 CONNECT, CONNACK
  std::optional<std::uint16_t> topic_alias;                     // 0x23 PUBLISH (1..)
  std::optional<std::uint8_t> maximum_qos;                      // 0x24 CONNACK (0 or 1)
  std::optional<bool> retain_available;                         // 0x25 CONNACK
  wire_list<user_property> user_properties;                     // 0x26 all but PINGs
  std::optional<std::uint32_t> maximum_packet_size;             // 0x27 CONNECT, CONNACK (1..)
  std::optional<bool> wildcard_subscription_available;          // 0x28 CONNACK
  std::optional<bool> subscription_identifier_available;        // 0x29 CONNACK
  std::optional<bool> shared_subscription_available;            // 0x2A CONNACK

  // True when no property is present (the block is empty on the wire).
  bool empty() const noexcept;
  friend bool operator==(const properties&, const properties&) = default;
};

}  // namespace mqttconn
