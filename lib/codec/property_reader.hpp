// Reading a property block, written once as a template over where the values go: the C++
// `properties` (instantiated in properties.cpp for every packet's decoder), or the C API's
// block (capi/publish_to_c.hpp), which mqttconn_decode() fills in this same validating pass.
//
// A destination has the setters of `properties` (set_<name>(value)), has(id), and
// set_user_properties() / set_subscription_identifiers() taking the block's wire_list, called
// once at the end for a list that is not empty. It may also have add_user_property(name,
// value) and add_subscription_identifier(v), called as each one is read: before the block is
// known to be valid, so what they were given counts only if the block reads without a fault.
#pragma once

#include "properties.hpp"

namespace mqttconn::detail {

// 0 and 1 are the only values of the byte-valued flags (Table 2-4) [V5-U11] [V5-U12].
inline bool read_flag(reader& b, const std::uint8_t* at, const char* name) noexcept {
  const std::uint8_t v = b.u8(name);
  if (v > 1) b.protocol(at, name, "is neither 0 nor 1");
  return v == 1;
}

template <class Out>
void read_properties(reader& r, property_scope scope, Out& out) noexcept {
  const std::uint8_t* len_at = r.pos();
  const std::uint32_t len = r.vbi("Property Length");
  if (r.failed()) return;
  if (r.left() < len) return r.fail(len_at, "Property Length", "runs past the end of the packet");
  reader b = r.sub(len, "property block");
  const std::uint8_t* const start = b.pos();
  std::uint64_t seen = 0;
  std::size_t users = 0, sub_ids = 0;
  const std::uint8_t* auth_data_at = nullptr;
  const std::uint16_t in_scope = scope_bit(scope);
  while (b.left() > 0) {
    const std::uint8_t* at = b.pos();
    // Identifiers are Variable Byte Integers, but every defined one fits in one byte: a byte
    // with bit 7 set can only start an undefined identifier.
    const std::uint8_t id = b.u8("property identifier");
    const property_info& pi = property_info_of(id);
    if ((pi.scopes & in_scope) == 0) {
      b.fail(at, pi.name, pi.type == wire_type::none ? "is not a property identifier"
                                                      : "is not allowed in this packet");
      break;
    }
    const std::uint64_t mask = std::uint64_t{1} << id;
    const bool repeatable = id == 0x26 || (id == 0x0B && scope == property_scope::publish);
    if ((seen & mask) != 0 && !repeatable) {
      b.protocol(at, pi.name, "appears more than once");
      break;
    }
    seen |= mask;
    const char* name = pi.name;
    switch (id) {
      case 0x01: out.set_payload_format_indicator(read_flag(b, at, name)); break;
      case 0x02: out.set_message_expiry_interval(b.u32(name)); break;
      case 0x03: out.set_content_type(b.str(name)); break;
      case 0x08: {
        bool wildcard;
        out.set_response_topic(b.topic(name, wildcard));
        if (wildcard) b.protocol(at, name, "contains a wildcard [MQTT-3.3.2-14]");
        break;
      }
      case 0x09: out.set_correlation_data(b.bin(name)); break;
      case 0x0B: {
        const std::uint32_t v = b.vbi(name);
        if (v == 0 && !b.failed()) b.protocol(at, name, "is 0");
        if constexpr (requires { out.add_subscription_identifier(v); }) out.add_subscription_identifier(v);
        ++sub_ids;
        break;
      }
      case 0x11: out.set_session_expiry_interval(b.u32(name)); break;
      case 0x12: out.set_assigned_client_identifier(b.str(name)); break;
      case 0x13: out.set_server_keep_alive(b.u16(name)); break;
      case 0x15: out.set_authentication_method(b.str(name)); break;
      case 0x16:
        auth_data_at = at;
        out.set_authentication_data(b.bin(name));
        break;
      case 0x17: out.set_request_problem_information(read_flag(b, at, name)); break;
      case 0x18: out.set_will_delay_interval(b.u32(name)); break;
      case 0x19: out.set_request_response_information(read_flag(b, at, name)); break;
      case 0x1A: out.set_response_information(b.str(name)); break;
      case 0x1C: out.set_server_reference(b.str(name)); break;
      case 0x1F: out.set_reason_string(b.str(name)); break;
      case 0x21: {
        const std::uint16_t v = b.u16(name);
        if (v == 0 && !b.failed()) b.protocol(at, name, "is 0 [V5-U09]");
        out.set_receive_maximum(v);
        break;
      }
      case 0x22: out.set_topic_alias_maximum(b.u16(name)); break;
      case 0x23: {
        const std::uint16_t v = b.u16(name);
        if (v == 0 && !b.failed()) b.fail_at(at, errc::topic_alias_invalid, 0x94, name, "is 0 [MQTT-3.3.2-8]");
        out.set_topic_alias(v);
        break;
      }
      case 0x24: {
        const std::uint8_t v = b.u8(name);
        if (v > 1) b.protocol(at, name, "is neither 0 nor 1 [V5-U12]");
        out.set_maximum_qos(v);
        break;
      }
      case 0x25: out.set_retain_available(read_flag(b, at, name)); break;
      case 0x26: {
        const std::string_view key = b.str(name);
        const std::string_view value = b.str(name);
        if constexpr (requires { out.add_user_property(key, value); }) out.add_user_property(key, value);
        ++users;
        break;
      }
      case 0x27: {
        const std::uint32_t v = b.u32(name);
        if (v == 0 && !b.failed()) b.protocol(at, name, "is 0 [V5-U10]");
        out.set_maximum_packet_size(v);
        break;
      }
      case 0x28: out.set_wildcard_subscription_available(read_flag(b, at, name)); break;
      case 0x29: out.set_subscription_identifier_available(read_flag(b, at, name)); break;
      case 0x2A: out.set_shared_subscription_available(read_flag(b, at, name)); break;
      default: break;
    }
  }
  if (scope == property_scope::connect && auth_data_at && !out.has(property_id::authentication_method) &&
      !b.failed()) {
    b.protocol(auth_data_at, "Authentication Data", "is present without an Authentication Method [V5-U13]");
  }
  r.join(b);
  if (users != 0) out.set_user_properties(wire_list<user_property>::from_wire(start, users));
  if (sub_ids != 0) out.set_subscription_identifiers(wire_list<std::uint32_t>::from_wire(start, sub_ids));
}

}  // namespace mqttconn::detail
