#include "properties.hpp"

#include <array>
#include <bit>

#include "utf8.hpp"

namespace mqttconn {
namespace detail {
namespace {

enum class wire_type : std::uint8_t { none, byte, two, four, vbi, text, data, pair };

// One bit per property_scope.
constexpr std::uint16_t bit(property_scope s) { return std::uint16_t(1u << unsigned(s)); }
using sc = property_scope;
constexpr std::uint16_t acks = bit(sc::puback) | bit(sc::pubrec) | bit(sc::pubrel) |
                               bit(sc::pubcomp) | bit(sc::suback) | bit(sc::unsuback);
constexpr std::uint16_t message = bit(sc::publish) | bit(sc::will);
constexpr std::uint16_t all = 0x3FFF;

struct property_info {
  wire_type type = wire_type::none;
  std::uint16_t scopes = 0;
  const char* name = "unknown property";
};

// Table 2-4.
constexpr std::array<property_info, 0x2B> table = [] {
  std::array<property_info, 0x2B> t{};
  using w = wire_type;
  t[0x01] = {w::byte, message, "Payload Format Indicator"};
  t[0x02] = {w::four, message, "Message Expiry Interval"};
  t[0x03] = {w::text, message, "Content Type"};
  t[0x08] = {w::text, message, "Response Topic"};
  t[0x09] = {w::data, message, "Correlation Data"};
  t[0x0B] = {w::vbi, std::uint16_t(bit(sc::publish) | bit(sc::subscribe)), "Subscription Identifier"};
  t[0x11] = {w::four, std::uint16_t(bit(sc::connect) | bit(sc::connack) | bit(sc::disconnect)),
             "Session Expiry Interval"};
  t[0x12] = {w::text, bit(sc::connack), "Assigned Client Identifier"};
  t[0x13] = {w::two, bit(sc::connack), "Server Keep Alive"};
  t[0x15] = {w::text, std::uint16_t(bit(sc::connect) | bit(sc::connack) | bit(sc::auth)),
             "Authentication Method"};
  t[0x16] = {w::data, std::uint16_t(bit(sc::connect) | bit(sc::connack) | bit(sc::auth)),
             "Authentication Data"};
  t[0x17] = {w::byte, bit(sc::connect), "Request Problem Information"};
  t[0x18] = {w::four, bit(sc::will), "Will Delay Interval"};
  t[0x19] = {w::byte, bit(sc::connect), "Request Response Information"};
  t[0x1A] = {w::text, bit(sc::connack), "Response Information"};
  t[0x1C] = {w::text, std::uint16_t(bit(sc::connack) | bit(sc::disconnect)), "Server Reference"};
  t[0x1F] = {w::text, std::uint16_t(acks | bit(sc::connack) | bit(sc::disconnect) | bit(sc::auth)),
             "Reason String"};
  t[0x21] = {w::two, std::uint16_t(bit(sc::connect) | bit(sc::connack)), "Receive Maximum"};
  t[0x22] = {w::two, std::uint16_t(bit(sc::connect) | bit(sc::connack)), "Topic Alias Maximum"};
  t[0x23] = {w::two, bit(sc::publish), "Topic Alias"};
  t[0x24] = {w::byte, bit(sc::connack), "Maximum QoS"};
  t[0x25] = {w::byte, bit(sc::connack), "Retain Available"};
  t[0x26] = {w::pair, all, "User Property"};
  t[0x27] = {w::four, std::uint16_t(bit(sc::connect) | bit(sc::connack)), "Maximum Packet Size"};
  t[0x28] = {w::byte, bit(sc::connack), "Wildcard Subscription Available"};
  t[0x29] = {w::byte, bit(sc::connack), "Subscription Identifier Available"};
  t[0x2A] = {w::byte, bit(sc::connack), "Shared Subscription Available"};
  return t;
}();

const property_info& info(std::uint8_t id) noexcept {
  static constexpr property_info unknown{};
  return id < table.size() ? table[id] : unknown;
}

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

// Bit n set: property n may appear in a block of this scope.
constexpr std::array<std::uint64_t, 14> allowed_masks = [] {
  std::array<std::uint64_t, 14> m{};
  for (unsigned s = 0; s < m.size(); ++s) {
    for (unsigned id = 0; id < table.size(); ++id) {
      if (table[id].scopes & (1u << s)) m[s] |= std::uint64_t{1} << id;
    }
  }
  return m;
}();

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


// Masks of the fixed-width properties by their size on the wire (identifier included).
constexpr std::uint64_t width_mask(wire_type w) noexcept {
  std::uint64_t m = 0;
  for (unsigned id = 0; id < table.size(); ++id) {
    if (table[id].type == w) m |= std::uint64_t{1} << id;
  }
  return m;
}
constexpr std::uint64_t two_byte = width_mask(wire_type::byte), three_byte = width_mask(wire_type::two),
                        five_byte = width_mask(wire_type::four);

// Set bits of a mask with few of them. (std::popcount is a library call on baseline x86-64.)
constexpr unsigned bits(std::uint64_t m) noexcept {
  unsigned n = 0;
  for (; m != 0; m &= m - 1) ++n;
  return n;
}

std::size_t properties_size(const properties& p) noexcept {
  const std::uint64_t m = p.present();
  if (m == 0) return 0;
  std::size_t n = 2 * bits(m & two_byte) + 3 * bits(m & three_byte) + 5 * bits(m & five_byte);
  // The rest vary in length: visit only those.
  size_counter c;
  for (std::uint64_t v = m & ~(two_byte | three_byte | five_byte); v != 0; v &= v - 1) {
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
      case pid::subscription_identifier:
        for (std::uint32_t id : p.subscription_identifiers()) c.vbi(id);
        c.skip(p.subscription_identifiers().size());
        break;
      case pid::user_property:
        for (const user_property& u : p.user_properties()) c.str(u.name), c.str(u.value);
        c.skip(p.user_properties().size());
        break;
      default: break;
    }
  }
  // One identifier byte for each string or binary property (lists counted theirs above).
  constexpr std::uint64_t lists = std::uint64_t{1} << 0x0B | std::uint64_t{1} << 0x26;
  return n + c.n + bits(m & ~(two_byte | three_byte | five_byte | lists));
}

bool check_properties(const properties& p, property_scope scope, tx_check& c) noexcept {
  const std::uint64_t m = p.present();
  if (m == 0) return true;
  if (const std::uint64_t misplaced = m & ~allowed_masks[static_cast<unsigned>(scope)]) {
    return c.refuse(info(static_cast<std::uint8_t>(std::countr_zero(misplaced))).name, "is not allowed in this packet");
  }
  // Only the present properties that have something to check: strings, binaries, lists and
  // the values with a range.
  using pid = property_id;
  constexpr std::uint64_t ranged = std::uint64_t{1} << 0x21 | std::uint64_t{1} << 0x23 |
                                   std::uint64_t{1} << 0x24 | std::uint64_t{1} << 0x27;
  for (std::uint64_t v = m & (~(two_byte | three_byte | five_byte) | ranged); v != 0; v &= v - 1) {
    const auto id = static_cast<std::uint8_t>(std::countr_zero(v));
    const char* name = info(id).name;
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
        const wire_list<std::uint32_t> ids = p.subscription_identifiers();
        if (scope == property_scope::subscribe && ids.size() > 1) {
          return c.refuse(name, "appears more than once in SUBSCRIBE", 0x82);
        }
        for (std::uint32_t i : ids) {
          if (i == 0 || i > vbi_max) return c.refuse(name, "is outside 1..268,435,455", 0x82);
        }
        break;
      }
      case pid::user_property:
        for (const user_property& u : p.user_properties()) {
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
