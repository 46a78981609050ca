// Property blocks: validated decoding, checks before encoding, and the encoder body.
#pragma once

#include "mqttconn/properties.hpp"
#include "reader.hpp"
#include "writer.hpp"

namespace mqttconn::detail {

// Reads a Property Length and the block it announces into `out`, enforcing Table 2-4: unknown
// or misplaced identifiers are malformed (0x81) [V5-U07], repeats of a non-repeatable
// property are a protocol error (0x82) [V5-U08], and values outside their range fail with
// the code the spec gives.
void read_properties(reader& r, property_scope scope, properties& out) noexcept;

// The same rules for a block about to be sent.
bool check_properties(const properties& p, property_scope scope, tx_check& c) noexcept;

// Bytes of the properties themselves (without the Property Length).
std::size_t properties_size(const properties& p) noexcept;

template <class Sink>
void put_properties(Sink& s, const properties& p) noexcept {
  auto byte = [&s](property_id id, const auto& v) {
    if (v) s.u8(static_cast<std::uint8_t>(id)), s.u8(static_cast<std::uint8_t>(*v));
  };
  auto two = [&s](property_id id, const auto& v) {
    if (v) s.u8(static_cast<std::uint8_t>(id)), s.u16(*v);
  };
  auto four = [&s](property_id id, const auto& v) {
    if (v) s.u8(static_cast<std::uint8_t>(id)), s.u32(*v);
  };
  auto text = [&s](property_id id, const auto& v) {
    if (v) s.u8(static_cast<std::uint8_t>(id)), s.str(*v);
  };
  auto data = [&s](property_id id, const auto& v) {
    if (v) s.u8(static_cast<std::uint8_t>(id)), s.bin(*v);
  };
  using id = property_id;
  byte(id::payload_format_indicator, p.payload_format_indicator);
  four(id::message_expiry_interval, p.message_expiry_interval);
  text(id::content_type, p.content_type);
  text(id::response_topic, p.response_topic);
  data(id::correlation_data, p.correlation_data);
  for (std::uint32_t v : p.subscription_identifiers) s.u8(0x0B), s.vbi(v);
  four(id::session_expiry_interval, p.session_expiry_interval);
  text(id::assigned_client_identifier, p.assigned_client_identifier);
  two(id::server_keep_alive, p.server_keep_alive);
  text(id::authentication_method, p.authentication_method);
  data(id::authentication_data, p.authentication_data);
  byte(id::request_problem_information, p.request_problem_information);
  four(id::will_delay_interval, p.will_delay_interval);
  byte(id::request_response_information, p.request_response_information);
  text(id::response_information, p.response_information);
  text(id::server_reference, p.server_reference);
  text(id::reason_string, p.reason_string);
  two(id::receive_maximum, p.receive_maximum);
  two(id::topic_alias_maximum, p.topic_alias_maximum);
  two(id::topic_alias, p.topic_alias);
  byte(id::maximum_qos, p.maximum_qos);
  byte(id::retain_available, p.retain_available);
  for (const user_property& u : p.user_properties) s.u8(0x26), s.str(u.name), s.str(u.value);
  four(id::maximum_packet_size, p.maximum_packet_size);
  byte(id::wildcard_subscription_available, p.wildcard_subscription_available);
  byte(id::subscription_identifier_available, p.subscription_identifier_available);
  byte(id::shared_subscription_available, p.shared_subscription_available);
}

// Property Length followed by the properties.
template <class Sink>
void put_property_block(Sink& s, const properties& p) noexcept {
  const std::size_t n = properties_size(p);
  s.vbi(static_cast<std::uint32_t>(n));
  if constexpr (Sink::writes) {
    put_properties(s, p);
  } else {
    s.skip(n);
  }
}

}  // namespace mqttconn::detail
