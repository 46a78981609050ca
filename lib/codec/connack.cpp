// CONNACK (5.0 §3.2, 3.1.1 §3.2; 3.1 has no Session Present flag).
#include "encode.hpp"
#include "properties.hpp"

namespace mqttconn::detail {
namespace {

// Table 3-1 of 5.0.
bool connack_code_v5(std::uint8_t rc) noexcept {
  switch (rc) {
    case 0x00: case 0x80: case 0x81: case 0x82: case 0x83: case 0x84: case 0x85: case 0x86:
    case 0x87: case 0x88: case 0x89: case 0x8A: case 0x8C: case 0x90: case 0x95: case 0x97:
    case 0x99: case 0x9A: case 0x9B: case 0x9C: case 0x9D: case 0x9F:
      return true;
    default:
      return false;
  }
}

bool valid_code(std::uint8_t rc, protocol_version v) noexcept {
  return v == protocol_version::v5 ? connack_code_v5(rc) : rc <= 5;  // 3.x: Table 3.1 [V311-U09]
}

}  // namespace

void decode_body(reader& r, std::uint8_t, protocol_version v, connack& out) noexcept {
  const std::uint8_t* flags_at = r.pos();
  const std::uint8_t flags = r.u8("connect acknowledge flags");
  // Level 3 has no Session Present: the byte is reserved and ignored [V31-D03].
  if (v != protocol_version::v3_1) {
    if (flags & 0xFE) return r.fail(flags_at, "connect acknowledge flags", "have reserved bits set [MQTT-3.2.2-1]");
    out.session_present = (flags & 1) != 0;
  }
  const std::uint8_t* rc_at = r.pos();
  out.reason_code = r.u8("reason code");
  if (r.failed()) return;
  if (!valid_code(out.reason_code, v)) {
    return r.protocol(rc_at, "reason code", "is not a CONNACK code [MQTT-3.2.2-8]");
  }
  if (out.session_present && out.reason_code != 0) {
    return r.protocol(flags_at, "session present", "is set with a failure code [MQTT-3.2.2-6]");
  }
  if (v == protocol_version::v5) read_properties(r, property_scope::connack, out.props);
  r.expect_end("CONNACK");
}

bool check(const connack& p, protocol_version v, tx_check& c) noexcept {
  if (!valid_code(p.reason_code, v)) return c.refuse("reason code", "is not a CONNACK code at this level", 0x82);
  if (p.session_present && v == protocol_version::v3_1) {
    return c.refuse("session present", "does not exist in MQTT 3.1 [V31-D03]");
  }
  if (p.session_present && p.reason_code != 0) {
    return c.refuse("session present", "is set with a failure code [MQTT-3.2.2-6]", 0x82);
  }
  return no_properties_before_v5(p.props, v, c) &&
         (v != protocol_version::v5 || check_properties(p.props, property_scope::connack, c));
}

std::uint8_t first_byte(const connack&, protocol_version) noexcept { return 0x20; }

template <class Sink>
void put_body(Sink& s, const connack& p, protocol_version v) noexcept {
  s.u8(p.session_present ? 1 : 0);
  s.u8(p.reason_code);
  if (v == protocol_version::v5) put_property_block(s, p.props);
}

}  // namespace mqttconn::detail

MQTTCONN_INSTANTIATE_ENCODER(connack)
