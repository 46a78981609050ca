// MQTT 5.0 properties (5.0 §2.2.2, Table 2-4): all 27 of them, lossless.
//
// Absent and present-with-default-value are different things on the wire and stay different
// here. User Properties keep order and repeats, and a PUBLISH may carry several Subscription
// Identifiers. Properties of different ids are written in ascending id order by the encoder;
// their order on the wire carries no meaning.
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

// The properties of one property block. Each property has a reader, `name()`, which gives
// std::nullopt when the property is absent, and a setter, `set_name(value)`, which returns
// *this so settings chain:
//
//   p.props.set_message_expiry_interval(60).set_content_type("application/json");
//   if (auto ct = p.props.content_type()) use(*ct);
//
// Presence is one bit per property id, so an empty block costs one word to build, test or
// compare, and the encoder visits only the properties that are there.
class properties {
 public:
#define MQTTCONN_PROPERTY(type, name)                                             \
  std::optional<type> name() const noexcept {                                     \
    if (!has(property_id::name)) return std::nullopt;                             \
    return name##_;                                                               \
  }                                                                               \
  properties& set_##name(type v) noexcept {                                       \
    name##_ = v;                                                                  \
    present_ |= bit(property_id::name);                                           \
    return *this;                                                                 \
  }
  // Byte-valued properties whose only legal values are 0 and 1 are bools.
  MQTTCONN_PROPERTY(bool, payload_format_indicator)                    // 0x01 PUBLISH, Will
  MQTTCONN_PROPERTY(std::uint32_t, message_expiry_interval)            // 0x02 PUBLISH, Will
  MQTTCONN_PROPERTY(std::string_view, content_type)                    // 0x03 PUBLISH, Will
  MQTTCONN_PROPERTY(std::string_view, response_topic)                  // 0x08 PUBLISH, Will
  MQTTCONN_PROPERTY(binary, correlation_data)                          // 0x09 PUBLISH, Will
  MQTTCONN_PROPERTY(std::uint32_t, session_expiry_interval)            // 0x11 CONNECT, CONNACK, DISCONNECT
  MQTTCONN_PROPERTY(std::string_view, assigned_client_identifier)      // 0x12 CONNACK
  MQTTCONN_PROPERTY(std::uint16_t, server_keep_alive)                  // 0x13 CONNACK
  MQTTCONN_PROPERTY(std::string_view, authentication_method)           // 0x15 CONNECT, CONNACK, AUTH
  MQTTCONN_PROPERTY(binary, authentication_data)                       // 0x16 CONNECT, CONNACK, AUTH
  MQTTCONN_PROPERTY(bool, request_problem_information)                 // 0x17 CONNECT
  MQTTCONN_PROPERTY(std::uint32_t, will_delay_interval)                // 0x18 Will
  MQTTCONN_PROPERTY(bool, request_response_information)                // 0x19 CONNECT
  MQTTCONN_PROPERTY(std::string_view, response_information)            // 0x1A CONNACK
  MQTTCONN_PROPERTY(std::string_view, server_reference)                // 0x1C CONNACK, DISCONNECT
  MQTTCONN_PROPERTY(std::string_view, reason_string)                   // 0x1F acks, DISCONNECT, AUTH
  MQTTCONN_PROPERTY(std::uint16_t, receive_maximum)                    // 0x21 CONNECT, CONNACK (1..)
  MQTTCONN_PROPERTY(std::uint16_t, topic_alias_maximum)                // 0x22 CONNECT, CONNACK
  MQTTCONN_PROPERTY(std::uint16_t, topic_alias)                        // 0x23 PUBLISH (1..)
  MQTTCONN_PROPERTY(std::uint8_t, maximum_qos)                         // 0x24 CONNACK (0 or 1)
  MQTTCONN_PROPERTY(bool, retain_available)                            // 0x25 CONNACK
  MQTTCONN_PROPERTY(std::uint32_t, maximum_packet_size)                // 0x27 CONNECT, CONNACK (1..)
  MQTTCONN_PROPERTY(bool, wildcard_subscription_available)             // 0x28 CONNACK
  MQTTCONN_PROPERTY(bool, subscription_identifier_available)           // 0x29 CONNACK
  MQTTCONN_PROPERTY(bool, shared_subscription_available)               // 0x2A CONNACK
#undef MQTTCONN_PROPERTY

  // 0x0B PUBLISH (any number), SUBSCRIBE (one). Present when not empty.
  wire_list<std::uint32_t> subscription_identifiers() const noexcept { return subscription_identifiers_; }
  properties& set_subscription_identifiers(wire_list<std::uint32_t> ids) noexcept {
    subscription_identifiers_ = ids;
    present_ = ids.empty() ? present_ & ~bit(property_id::subscription_identifier)
                           : present_ | bit(property_id::subscription_identifier);
    return *this;
  }
  // 0x26 in every packet with properties. Present when not empty; order and repeats kept.
  wire_list<user_property> user_properties() const noexcept { return user_properties_; }
  properties& set_user_properties(wire_list<user_property> ups) noexcept {
    user_properties_ = ups;
    present_ = ups.empty() ? present_ & ~bit(property_id::user_property)
                           : present_ | bit(property_id::user_property);
    return *this;
  }

  bool has(property_id id) const noexcept { return (present_ & bit(id)) != 0; }
  properties& clear(property_id id) noexcept {
    present_ &= ~bit(id);
    if (id == property_id::user_property) user_properties_ = {};
    if (id == property_id::subscription_identifier) subscription_identifiers_ = {};
    return *this;
  }
  // Bit n is set when the property with identifier n is present.
  std::uint64_t present() const noexcept { return present_; }
  // True when no property is present (the block is empty on the wire).
  bool empty() const noexcept { return present_ == 0; }
  // Present properties compare by value; absent ones are ignored.
  friend bool operator==(const properties& a, const properties& b) noexcept;

 private:
  static constexpr std::uint64_t bit(property_id id) noexcept {
    return std::uint64_t{1} << static_cast<unsigned>(id);
  }

  std::uint64_t present_ = 0;
  // Values, meaningful only where the present bit is set. Grouped by size so that a fresh
  // block is zeroed with a few wide stores.
  std::uint32_t message_expiry_interval_ = 0, session_expiry_interval_ = 0,
                will_delay_interval_ = 0, maximum_packet_size_ = 0;
  std::uint16_t server_keep_alive_ = 0, receive_maximum_ = 0, topic_alias_maximum_ = 0,
                topic_alias_ = 0;
  std::uint8_t maximum_qos_ = 0;
  bool payload_format_indicator_ = false, request_problem_information_ = false,
       request_response_information_ = false, retain_available_ = false,
       wildcard_subscription_available_ = false, subscription_identifier_available_ = false,
       shared_subscription_available_ = false;
  std::string_view content_type_, response_topic_, assigned_client_identifier_,
      authentication_method_, response_information_, server_reference_, reason_string_;
  binary correlation_data_, authentication_data_;
  wire_list<std::uint32_t> subscription_identifiers_;
  wire_list<user_property> user_properties_;
};

}  // namespace mqttconn
