// DISCONNECT (5.0 §3.14, 3.1.1 §3.14). In 3.x it is empty; in 5.0 the reason code and the
// Property Length may be left out (Remaining Length 0 means 0x00, 1 means no properties).
#include "encode.hpp"
#include "properties.hpp"

namespace mqttconn::detail {
namespace {

bool disconnect_code(std::uint8_t rc) noexcept {  // Table 3-10 of 5.0
  switch (rc) {
    case 0x00: case 0x04: case 0x80: case 0x81: case 0x82: case 0x83: case 0x87: case 0x89:
    case 0x8B: case 0x8C: case 0x8D: case 0x8E: case 0x8F: case 0x90: case 0x93: case 0x94:
    case 0x95: case 0x96: case 0x97: case 0x98: case 0x99: case 0x9A: case 0x9B: case 0x9C:
    case 0x9D: case 0x9E: case 0x9F: case 0xA0: case 0xA1: case 0xA2:
      return true;
    default:
      return false;
  }
}

}  // namespace

void decode_body(reader& r, std::uint8_t, protocol_version v, disconnect& out) noexcept {
  if (v != protocol_version::v5 || r.left() == 0) return r.expect_end("DISCONNECT");
  const std::uint8_t* at = r.pos();
  out.reason_code = r.u8("reason code");
  if (!disconnect_code(out.reason_code)) {
    return r.protocol(at, "reason code", "is not a DISCONNECT code [MQTT-3.14.2-1]");
  }
  if (r.left() == 0) return;
  read_properties(r, property_scope::disconnect, out.props);
  r.expect_end("DISCONNECT");
}

bool check(const disconnect& p, protocol_version v, tx_check& c) noexcept {
  if (v != protocol_version::v5) {
    if (p.reason_code != 0) return c.refuse("reason code", "exists only in MQTT 5.0");
    return no_properties_before_v5(p.props, v, c);
  }
  if (!disconnect_code(p.reason_code)) return c.refuse("reason code", "is not a DISCONNECT code [MQTT-3.14.2-1]", 0x82);
  return check_properties(p.props, property_scope::disconnect, c);
}

std::uint8_t first_byte(const disconnect&, protocol_version) noexcept { return 0xE0; }

template <class Sink>
void put_body(Sink& s, const disconnect& p, protocol_version v) noexcept {
  if (v != protocol_version::v5) return;
  const bool props = !p.props.empty();
  if (p.reason_code == 0 && !props) return;
  s.u8(p.reason_code);
  if (props) put_property_block(s, p.props);
}

}  // namespace mqttconn::detail

MQTTCONN_INSTANTIATE_ENCODER(disconnect)
