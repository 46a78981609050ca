#include "properties.hpp"

#include <array>
#include <bit>

#include "utf8.hpp"

namespace mqttconn {
namespace detail {
namespace {

constexpr std::uint16_t bit(property_scope s) { return scope_bit(s); }

const property_info& info(std::uint8_t id) noexcept { return property_info_of(id); }

std::uint16_t be16(const std::uint8_t* p) noexcept { return std::uint16_t(p[0] << 8 | p[1]); }

// Size of one validated property whose identifier byte is at p.
std::size_t wire_size(const std::uint8_t* p) noexcept {
  switch (info(p[0]).type) {
    case wire_type::byte: return 2;
    case wire_type::two: return 3;
    case wire_type::four: return 5;
    case wire_type::vbi: return 1 + vbi_read(p + 1, 4).len;
    case wire_type::text:
    case wire_type::data: return 3 + be16(p + 1);
    case wire_type::pair: {
      const std::size_t a = be16(p + 1);
      return 5 + a + be16(p + 3 + a);
    }
    case wire_type::none: break;
  }
  return 1;  // unreachable on validated bytes
}

// 0 and 1 are the only values of the byte-valued flags (Table 2-4) [V5-U11] [V5-U12].
bool read_flag(reader& b, const std::uint8_t* at, const char* name) noexcept {
  const std::uint8_t v = b.u8(name);
  if (v > 1) b.protocol(at, name, "is neither 0 nor 1");
  return v == 1;
}

}  // namespace

void read_properties(reader& r, property_scope scope, properties& out) noexcept {
  const std::uint8_t* len_at = r.pos();
  const std::uint32_t len = r.vbi("Property Length");
  if (r.failed()) return;
  if (r.left() < len) return r.fail(len_at, "Property Length", "runs past the end of the packet");
  reader b = r.sub(len, "property block");
  const std::uint8_t* const start = b.pos();
  std::uint64_t seen = 0;
  std::size_t users = 0, sub_ids = 0;
  const std::uint8_t* auth_data_at = nullptr;
  const std::uint16_t scope_bit = bit(scope);
  while (b.left() > 0) {
    const std::uint8_t* at = b.pos();
    // Identifiers are Variable Byte Integers, but every defined one fits in one byte: a byte
    // with bit 7 set can only start an undefined identifier.
    const std::uint8_t id = b.u8("property identifier");
    const property_info& pi = info(id);
    if ((pi.scopes & scope_bit) == 0) {
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
      case 0x0B:
        if (b.vbi(name) == 0 && !b.failed()) b.protocol(at, name, "is 0");
        ++sub_ids;
        break;
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
      case 0x26:
        b.str(name);
        b.str(name);
        ++users;
        break;
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

bool tx_check::str_slow(std::string_view s, const char* field) noexcept {
  if (s.size() > 65535) return refuse(field, "is longer than 65,535 bytes");
  const utf8_check u =
      utf8_validate(reinterpret_cast<const std::uint8_t*>(s.data()), s.size(), false);
  if (u.fault != utf8_fault::none) return refuse(field, utf8_fault_text(u.fault));
  return true;
}


template bool check_properties<properties>(const properties&, property_scope, tx_check&) noexcept;
template std::size_t properties_size<properties>(const properties&) noexcept;

void wire_next(const std::uint8_t*& p, user_property& out) noexcept {
  while (*p != 0x26) p += wire_size(p);
  const std::size_t a = be16(p + 1);
  const std::size_t b = be16(p + 3 + a);
  out.name = {reinterpret_cast<const char*>(p + 3), a};
  out.value = {reinterpret_cast<const char*>(p + 5 + a), b};
  p += 5 + a + b;
}

void wire_next(const std::uint8_t*& p, std::uint32_t& out) noexcept {
  while (*p != 0x0B) p += wire_size(p);
  const vbi_parse v = vbi_read(p + 1, 4);
  out = v.value;
  p += 1 + v.len;
}

}  // namespace detail

bool property_allowed(property_id id, property_scope scope) noexcept {
  return (detail::info(static_cast<std::uint8_t>(id)).scopes & detail::bit(scope)) != 0;
}

const char* to_string(property_id id) noexcept {
  return detail::info(static_cast<std::uint8_t>(id)).name;
}

bool operator==(const properties& a, const properties& b) noexcept {
  return a.present() == b.present() && a.payload_format_indicator() == b.payload_format_indicator() &&
         a.message_expiry_interval() == b.message_expiry_interval() && a.content_type() == b.content_type() &&
         a.response_topic() == b.response_topic() && a.correlation_data() == b.correlation_data() &&
         a.subscription_identifiers() == b.subscription_identifiers() &&
         a.session_expiry_interval() == b.session_expiry_interval() &&
         a.assigned_client_identifier() == b.assigned_client_identifier() &&
         a.server_keep_alive() == b.server_keep_alive() &&
         a.authentication_method() == b.authentication_method() &&
         a.authentication_data() == b.authentication_data() &&
         a.request_problem_information() == b.request_problem_information() &&
         a.will_delay_interval() == b.will_delay_interval() &&
         a.request_response_information() == b.request_response_information() &&
         a.response_information() == b.response_information() && a.server_reference() == b.server_reference() &&
         a.reason_string() == b.reason_string() && a.receive_maximum() == b.receive_maximum() &&
         a.topic_alias_maximum() == b.topic_alias_maximum() && a.topic_alias() == b.topic_alias() &&
         a.maximum_qos() == b.maximum_qos() && a.retain_available() == b.retain_available() &&
         a.user_properties() == b.user_properties() && a.maximum_packet_size() == b.maximum_packet_size() &&
         a.wildcard_subscription_available() == b.wildcard_subscription_available() &&
         a.subscription_identifier_available() == b.subscription_identifier_available() &&
         a.shared_subscription_available() == b.shared_subscription_available();
}

}  // namespace mqttconn
