// SUBSCRIBE and SUBACK (5.0 §3.8-3.9, 3.1.1 §3.8-3.9).
#include "encode.hpp"
#include "properties.hpp"
#include "topic.hpp"

namespace mqttconn::detail {
namespace {

// Table 3-8 of 5.0; 3.1.1 §3.9.3; 3.1 has no failure code [V31-D04].
bool suback_code(std::uint8_t rc, protocol_version v) noexcept {
  if (rc <= 2) return true;
  if (v == protocol_version::v3_1) return false;
  if (v == protocol_version::v3_1_1) return rc == 0x80;
  switch (rc) {
    case 0x80: case 0x83: case 0x87: case 0x8F: case 0x91: case 0x97: case 0x9E: case 0xA1: case 0xA2:
      return true;
    default:
      return false;
  }
}

std::uint8_t options_byte(const subscription& s) noexcept {
  return static_cast<std::uint8_t>(static_cast<std::uint8_t>(s.max_qos) | (s.no_local ? 4 : 0) |
                                   (s.retain_as_published ? 8 : 0) | (s.retain_handling << 4));
}

}  // namespace

void wire_next(const std::uint8_t*& p, subscription& out) noexcept {
  const std::size_t n = std::size_t(p[0]) << 8 | p[1];
  out.topic_filter = {reinterpret_cast<const char*>(p + 2), n};
  const std::uint8_t o = p[2 + n];
  out.max_qos = static_cast<qos>(o & 3);
  out.no_local = (o & 4) != 0;
  out.retain_as_published = (o & 8) != 0;
  out.retain_handling = static_cast<std::uint8_t>((o >> 4) & 3);
  p += 3 + n;
}

void decode_body(reader& r, std::uint8_t flags, protocol_version v, subscribe& out) noexcept {
  const bool v5 = v == protocol_version::v5;
  out.dup = (flags & 8) != 0;  // only reaches here at level 3 [V31-D06]
  out.packet_id = read_packet_id(r);
  if (v5) read_properties(r, property_scope::subscribe, out.props);
  const std::uint8_t* const start = r.pos();
  std::size_t n = 0;
  while (r.left() > 0) {
    std::string_view f;
    if (!read_filter(r, v5, f)) break;
    const std::uint8_t* opt_at = r.pos();
    const std::uint8_t o = r.u8("subscription options");
    if (r.failed()) break;
    if (!v5) {
      if ((o & 0xFC) != 0 || (o & 3) == 3) {
        r.fail(opt_at, "requested QoS", "has reserved bits set or is 3 [MQTT-3.8.3-4 v3.1.1]");
      }
    } else if ((o & 0xC0) != 0) {
      r.fail(opt_at, "subscription options", "have reserved bits set [MQTT-3.8.3-5]");
    } else if ((o & 3) == 3 || (o & 0x30) == 0x30) {
      r.protocol(opt_at, "subscription options", "have QoS 3 or Retain Handling 3 [V5-U18]");
    } else if ((o & 4) != 0 && is_shared(f)) {
      r.protocol(opt_at, "subscription options", "set No Local on a shared subscription [MQTT-3.8.3-4]");
    }
    ++n;
  }
  if (n == 0 && !r.failed()) {
    r.protocol(start, "SUBSCRIBE payload", "has no topic filter [MQTT-3.8.3-2] [MQTT-3.8.3-3 v3.1.1]");
  }
  out.subscriptions = wire_list<subscription>::from_wire(start, n);
}

bool check(const subscribe& p, protocol_version v, tx_check& c) noexcept {
  const bool v5 = v == protocol_version::v5;
  if (p.packet_id == 0) return c.refuse("packet identifier", "is 0 [MQTT-2.2.1-3]", 0x82);
  if (p.dup && v != protocol_version::v3_1) return c.refuse("DUP", "is allowed on SUBSCRIBE only at level 3 [V31-D06]");
  if (!no_properties_before_v5(p.props, v, c)) return false;
  if (v5 && !check_properties(p.props, property_scope::subscribe, c)) return false;
  if (p.subscriptions.empty()) return c.refuse("subscriptions", "are empty [MQTT-3.8.3-2]", 0x82);
  for (const subscription& s : p.subscriptions) {
    if (!c.filter(s.topic_filter, v5)) return false;
    if (s.max_qos > qos::exactly_once) return c.refuse("subscription QoS", "is 3", 0x82);
    if (!v5 && (s.no_local || s.retain_as_published || s.retain_handling != 0)) {
      return c.refuse("subscription options", "beyond QoS exist only in MQTT 5.0");
    }
    if (s.retain_handling > 2) return c.refuse("Retain Handling", "is 3 [V5-U18]", 0x82);
    if (s.no_local && is_shared(s.topic_filter)) {
      return c.refuse("No Local", "is set on a shared subscription [MQTT-3.8.3-4]", 0x82);
    }
  }
  return true;
}

std::uint8_t first_byte(const subscribe& p, protocol_version) noexcept { return p.dup ? 0x8A : 0x82; }

template <class Sink>
void put_body(Sink& s, const subscribe& p, protocol_version v) noexcept {
  s.u16(p.packet_id);
  if (v == protocol_version::v5) put_property_block(s, p.props);
  for (const subscription& e : p.subscriptions) {
    s.str(e.topic_filter);
    s.u8(options_byte(e));
  }
}

void decode_body(reader& r, std::uint8_t, protocol_version v, suback& out) noexcept {
  out.packet_id = read_packet_id(r);
  if (v == protocol_version::v5) read_properties(r, property_scope::suback, out.props);
  if (r.failed()) return;
  if (r.left() == 0) return r.protocol(r.pos(), "SUBACK payload", "has no reason code [MQTT-3.8.4-6]");
  out.reason_codes = r.rest();
  for (const std::uint8_t& rc : out.reason_codes) {
    if (!suback_code(rc, v)) return r.protocol(&rc, "reason code", "is not a SUBACK code [MQTT-3.9.3-2]");
  }
}

bool check(const suback& p, protocol_version v, tx_check& c) noexcept {
  if (p.packet_id == 0) return c.refuse("packet identifier", "is 0", 0x82);
  if (!no_properties_before_v5(p.props, v, c)) return false;
  if (v == protocol_version::v5 && !check_properties(p.props, property_scope::suback, c)) return false;
  if (p.reason_codes.empty()) return c.refuse("reason codes", "are empty [MQTT-3.8.4-6]", 0x82);
  for (std::uint8_t rc : p.reason_codes) {
    if (!suback_code(rc, v)) return c.refuse("reason code", "is not a SUBACK code at this level [MQTT-3.9.3-2]", 0x82);
  }
  return true;
}

std::uint8_t first_byte(const suback&, protocol_version) noexcept { return 0x90; }

template <class Sink>
void put_body(Sink& s, const suback& p, protocol_version v) noexcept {
  s.u16(p.packet_id);
  if (v == protocol_version::v5) put_property_block(s, p.props);
  s.raw(p.reason_codes.data(), p.reason_codes.size());
}

}  // namespace mqttconn::detail

MQTTCONN_INSTANTIATE_ENCODER(subscribe)
MQTTCONN_INSTANTIATE_ENCODER(suback)
