// Property blocks: validated decoding, checks before encoding, and the encoder body.
#pragma once

#include <bit>

#include "mqttconn/properties.hpp"
#include "property_table.hpp"
#include "reader.hpp"
#include "writer.hpp"

namespace mqttconn::detail {

// Reads a Property Length and the block it announces into `out`, enforcing Table 2-4: unknown
// or misplaced identifiers are malformed (0x81) [V5-U07], repeats of a non-repeatable
// property are a protocol error (0x82) [V5-U08], and values outside their range fail with
// the code the spec gives. Defined in property_reader.hpp, with what else `out` may be.
template <class Out>
void read_properties(reader& r, property_scope scope, Out& out) noexcept;
extern template void read_properties<properties>(reader&, property_scope, properties&) noexcept;

// The encoder's side is written once, as templates over the source of the block: the C++
// `properties`, or a view over a C block (capi/). A source has present() (bit n: property n is
// there, the lists by their length), has(id), empty(), one getter per property named as in
// `properties` whose value `*p.name()` gives (only called when present), and the lists
// subscription_identifiers() and user_properties(), ranges with size() whose elements are
// std::uint32_t and something with `name` and `value` string views.

// The rules of read_properties() for a block about to be sent.
template <class Props>
bool check_properties(const Props& p, property_scope scope, tx_check& c) noexcept {
  const std::uint64_t m = p.present();
  if (m == 0) return true;
  if (const std::uint64_t misplaced = m & ~allowed_property_masks[static_cast<unsigned>(scope)]) {
    return c.refuse(property_info_of(static_cast<std::uint8_t>(std::countr_zero(misplaced))).name,
                    "is not allowed in this packet");
  }
  // Only the present properties that have something to check: strings, binaries, lists and
  // the values with a range.
  using pid = property_id;
  constexpr std::uint64_t ranged = std::uint64_t{1} << 0x21 | std::uint64_t{1} << 0x23 |
                                   std::uint64_t{1} << 0x24 | std::uint64_t{1} << 0x27;
  for (std::uint64_t v = m & (~fixed_width_properties | ranged); v != 0; v &= v - 1) {
    const auto id = static_cast<std::uint8_t>(std::countr_zero(v));
    const char* name = property_table[id].name;
    bool ok = true;
    switch (static_cast<pid>(id)) {
      case pid::content_type: ok = c.str(*p.content_type(), name); break;
      case pid::response_topic: {
        const std::string_view t = *p.response_topic();
        ok = c.str(t, name) && (!has_wildcard(reinterpret_cast<const std::uint8_t*>(t.data()), t.size()) ||
                                c.refuse(name, "contains a wildcard [MQTT-3.3.2-14]", 0x82));
        break;
      }
      case pid::correlation_data: ok = c.bin(*p.correlation_data(), name); break;
      case pid::assigned_client_identifier: ok = c.str(*p.assigned_client_identifier(), name); break;
      case pid::authentication_method: ok = c.str(*p.authentication_method(), name); break;
      case pid::authentication_data: ok = c.bin(*p.authentication_data(), name); break;
      case pid::response_information: ok = c.str(*p.response_information(), name); break;
      case pid::server_reference: ok = c.str(*p.server_reference(), name); break;
      case pid::reason_string: ok = c.str(*p.reason_string(), name); break;
      case pid::subscription_identifier: {
        const auto ids = p.subscription_identifiers();
        if (scope == property_scope::subscribe && ids.size() > 1) {
          return c.refuse(name, "appears more than once in SUBSCRIBE", 0x82);
        }
        for (std::uint32_t i : ids) {
          if (i == 0 || i > vbi_max) return c.refuse(name, "is outside 1..268,435,455", 0x82);
        }
        break;
      }
      case pid::user_property:
        for (const auto& u : p.user_properties()) {
          if (!c.str(u.name, "User Property name") || !c.str(u.value, "User Property value")) return false;
        }
        break;
      case pid::receive_maximum: ok = *p.receive_maximum() != 0 || c.refuse(name, "is 0", 0x82); break;
      case pid::maximum_packet_size: ok = *p.maximum_packet_size() != 0 || c.refuse(name, "is 0", 0x82); break;
      case pid::topic_alias: ok = *p.topic_alias() != 0 || c.refuse(name, "is 0", 0x94); break;
      case pid::maximum_qos: ok = *p.maximum_qos() <= 1 || c.refuse(name, "is neither 0 nor 1", 0x82); break;
      default: break;
    }
    if (!ok) return false;
  }
  return true;
}

// Bytes of the properties themselves (without the Property Length).
template <class Props>
std::size_t properties_size(const Props& p) noexcept {
  const std::uint64_t m = p.present();
  if (m == 0) return 0;
  std::size_t n = 2 * few_bits(m & two_byte_properties) + 3 * few_bits(m & three_byte_properties) +
                  5 * few_bits(m & five_byte_properties);
  // The rest vary in length: visit only those.
  size_counter c;
  for (std::uint64_t v = m & ~fixed_width_properties; v != 0; v &= v - 1) {
    using pid = property_id;
    switch (static_cast<pid>(std::countr_zero(v))) {
      case pid::content_type: c.str(*p.content_type()); break;
      case pid::response_topic: c.str(*p.response_topic()); break;
      case pid::correlation_data: c.bin(*p.correlation_data()); break;
      case pid::assigned_client_identifier: c.str(*p.assigned_client_identifier()); break;
      case pid::authentication_method: c.str(*p.authentication_method()); break;
      case pid::authentication_data: c.bin(*p.authentication_data()); break;
      case pid::response_information: c.str(*p.response_information()); break;
      case pid::server_reference: c.str(*p.server_reference()); break;
      case pid::reason_string: c.str(*p.reason_string()); break;
      case pid::subscription_identifier: {
        const auto ids = p.subscription_identifiers();
        for (std::uint32_t id : ids) c.vbi(id);
        c.skip(ids.size());
        break;
      }
      case pid::user_property: {
        const auto ups = p.user_properties();
        for (const auto& u : ups) c.str(u.name), c.str(u.value);
        c.skip(ups.size());
        break;
      }
      default: break;
    }
  }
  // One identifier byte for each string or binary property (lists counted theirs above).
  return n + c.n + few_bits(m & ~(fixed_width_properties | list_properties));
}

// The C++ block's instantiations live in properties.cpp, so every packet file calls the same.
extern template bool check_properties<properties>(const properties&, property_scope, tx_check&) noexcept;
extern template std::size_t properties_size<properties>(const properties&) noexcept;

// Writes the present properties in ascending id order.
template <class Sink, class Props>
void put_properties(Sink& s, const Props& p) noexcept {
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
        for (const auto& u : p.user_properties()) s.u8(id), s.str(u.name), s.str(u.value);
        break;
      case pid::maximum_packet_size: s.u8(id), s.u32(*p.maximum_packet_size()); break;
      case pid::wildcard_subscription_available: s.u8(id), s.u8(*p.wildcard_subscription_available()); break;
      case pid::subscription_identifier_available: s.u8(id), s.u8(*p.subscription_identifier_available()); break;
      case pid::shared_subscription_available: s.u8(id), s.u8(*p.shared_subscription_available()); break;
    }
  }
}

// Property Length followed by the properties.
template <class Sink, class Props>
void put_property_block(Sink& s, const Props& p) noexcept {
  const std::size_t n = properties_size(p);
  s.vbi(static_cast<std::uint32_t>(n));
  if constexpr (Sink::writes) {
    put_properties(s, p);
  } else {
    s.skip(n);
  }
}

}  // namespace mqttconn::detail
