// Property blocks: validated decoding, checks before encoding, and the encoder body.
#pragma once

#include <bit>

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

// Writes the present properties in ascending id order.
template <class Sink>
void put_properties(Sink& s, const properties& p) noexcept {
  for (std::uint64_t m = p.present(); m != 0; m &= m - 1) {
    const auto id = static_cast<std::uint8_t>(std::countr_zero(m));
    using pid = property_id;
    switch (static_cast<pid>(id)) {
      case pid::payload_format_indicator: s.u8(id), s.u8(*p.payload_format_indicator()); break;
      case pid::message_expiry_interval: s.u8(id), s.u32(*p.message_expiry_interval()); break;
      case pid::content_type: s.u8(id), s.str(*p.content_type()); break;
      case pid::response_topic: s.u8(id), s.str(*p.response_topic()); break;
      case pid::correlation_data: s.u8(id), s.bin(*p.correlation_data()); break;
      case pid::subscription_identifier:
        for (std::uint32_t v : p.subscription_identifiers()) s.u8(id), s.vbi(v);
        break;
      case pid::session_expiry_interval: s.u8(id), s.u32(*p.session_expiry_interval()); break;
      case pid::assigned_client_identifier: s.u8(id), s.str(*p.assigned_client_identifier()); break;
      case pid::server_keep_alive: s.u8(id), s.u16(*p.server_keep_alive()); break;
      case pid::authentication_method: s.u8(id), s.str(*p.authentication_method()); break;
      case pid::authentication_data: s.u8(id), s.bin(*p.authentication_data()); break;
      case pid::request_problem_information: s.u8(id), s.u8(*p.request_problem_information()); break;
      case pid::will_delay_interval: s.u8(id), s.u32(*p.will_delay_interval()); break;
      case pid::request_response_information: s.u8(id), s.u8(*p.request_response_information()); break;
      case pid::response_information: s.u8(id), s.str(*p.response_information()); break;
      case pid::server_reference: s.u8(id), s.str(*p.server_reference()); break;
      case pid::reason_string: s.u8(id), s.str(*p.reason_string()); break;
      case pid::receive_maximum: s.u8(id), s.u16(*p.receive_maximum()); break;
      case pid::topic_alias_maximum: s.u8(id), s.u16(*p.topic_alias_maximum()); break;
      case pid::topic_alias: s.u8(id), s.u16(*p.topic_alias()); break;
      case pid::maximum_qos: s.u8(id), s.u8(*p.maximum_qos()); break;
      case pid::retain_available: s.u8(id), s.u8(*p.retain_available()); break;
      case pid::user_property:
        for (const user_property& u : p.user_properties()) s.u8(id), s.str(u.name), s.str(u.value);
        break;
      case pid::maximum_packet_size: s.u8(id), s.u32(*p.maximum_packet_size()); break;
      case pid::wildcard_subscription_available: s.u8(id), s.u8(*p.wildcard_subscription_available()); break;
      case pid::subscription_identifier_available: s.u8(id), s.u8(*p.subscription_identifier_available()); break;
      case pid::shared_subscription_available: s.u8(id), s.u8(*p.shared_subscription_available()); break;
    }
  }
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
