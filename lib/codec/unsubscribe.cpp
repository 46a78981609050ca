// UNSUBSCRIBE and UNSUBACK (5.0 §3.10-3.11, 3.1.1 §3.10-3.11).
#include "encode.hpp"
#include "properties.hpp"
#include "topic.hpp"

namespace mqttconn::detail {
namespace {

bool unsuback_code(std::uint8_t rc) noexcept {  // Table 3-9 of 5.0
  switch (rc) {
    case 0x00: case 0x11: case 0x80: case 0x83: case 0x87: case 0x8F: case 0x91:
      return true;
    default:
      return false;
  }
}

}  // namespace

void wire_next(const std::uint8_t*& p, std::string_view& out) noexcept {
  const std::size_t n = std::size_t(p[0]) << 8 | p[1];
  out = {reinterpret_cast<const char*>(p + 2), n};
  p += 2 + n;
}

void decode_body(reader& r, std::uint8_t flags, protocol_version v, unsubscribe& out) noexcept {
  const bool v5 = v == protocol_version::v5;
  out.dup = (flags & 8) != 0;  // only reaches here at level 3 [V31-D06]
  out.packet_id = read_packet_id(r);
  if (v5) read_properties(r, property_scope::unsubscribe, out.props);
  const std::uint8_t* const start = r.pos();
  std::size_t n = 0;
  while (r.left() > 0) {
    std::string_view f;
    if (!read_filter(r, v5, f)) break;
    ++n;
  }
  if (n == 0 && !r.failed()) {
    r.protocol(start, "UNSUBSCRIBE payload", "has no topic filter [MQTT-3.10.3-2]");
  }
  out.topic_filters = wire_list<std::string_view>::from_wire(start, n);
}

bool check(const unsubscribe& p, protocol_version v, tx_check& c) noexcept {
  const bool v5 = v == protocol_version::v5;
  if (p.packet_id == 0) return c.refuse("packet identifier", "is 0 [MQTT-2.2.1-3]", 0x82);
  if (p.dup && v != protocol_version::v3_1) return c.refuse("DUP", "is allowed on UNSUBSCRIBE only at level 3 [V31-D06]");
  if (!no_properties_before_v5(p.props, v, c)) return false;
  if (v5 && !check_properties(p.props, property_scope::unsubscribe, c)) return false;
  if (p.topic_filters.empty()) return c.refuse("topic filters", "are empty [MQTT-3.10.3-2]", 0x82);
  for (std::string_view f : p.topic_filters) {
    if (!c.filter(f, v5)) return false;
  }
  return true;
}

std::uint8_t first_byte(const unsubscribe& p, protocol_version) noexcept { return p.dup ? 0xAA : 0xA2; }

template <class Sink>
void put_body(Sink& s, const unsubscribe& p, protocol_version v) noexcept {
  s.u16(p.packet_id);
  if (v == protocol_version::v5) put_property_block(s, p.props);
  for (std::string_view f : p.topic_filters) s.str(f);
}

void decode_body(reader& r, std::uint8_t, protocol_version v, unsuback& out) noexcept {
  out.packet_id = read_packet_id(r);
  if (v != protocol_version::v5) return r.expect_end("UNSUBACK");
  read_properties(r, property_scope::unsuback, out.props);
  if (r.failed()) return;
  if (r.left() == 0) return r.protocol(r.pos(), "UNSUBACK payload", "has no reason code");
  out.reason_codes = r.rest();
  for (const std::uint8_t& rc : out.reason_codes) {
    if (!unsuback_code(rc)) return r.protocol(&rc, "reason code", "is not an UNSUBACK code [MQTT-3.11.3-2]");
  }
}

bool check(const unsuback& p, protocol_version v, tx_check& c) noexcept {
  if (p.packet_id == 0) return c.refuse("packet identifier", "is 0", 0x82);
  if (v != protocol_version::v5) {
    if (!p.reason_codes.empty()) return c.refuse("reason codes", "exist only in MQTT 5.0");
    return no_properties_before_v5(p.props, v, c);
  }
  if (!check_properties(p.props, property_scope::unsuback, c)) return false;
  if (p.reason_codes.empty()) return c.refuse("reason codes", "are empty", 0x82);
  for (std::uint8_t rc : p.reason_codes) {
    if (!unsuback_code(rc)) return c.refuse("reason code", "is not an UNSUBACK code [MQTT-3.11.3-2]", 0x82);
  }
  return true;
}

std::uint8_t first_byte(const unsuback&, protocol_version) noexcept { return 0xB0; }

template <class Sink>
void put_body(Sink& s, const unsuback& p, protocol_version v) noexcept {
  s.u16(p.packet_id);
  if (v != protocol_version::v5) return;
  put_property_block(s, p.props);
  s.raw(p.reason_codes.data(), p.reason_codes.size());
}

}  // namespace mqttconn::detail

MQTTCONN_INSTANTIATE_ENCODER(unsubscribe)
MQTTCONN_INSTANTIATE_ENCODER(unsuback)
