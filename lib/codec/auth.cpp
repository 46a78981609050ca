// AUTH (5.0 §3.15): exists only at level 5; decode.cpp rejects type 15 below that.
#include "encode.hpp"
#include "properties.hpp"

namespace mqttconn::detail {
namespace {

bool auth_code(std::uint8_t rc) noexcept { return rc == 0x00 || rc == 0x18 || rc == 0x19; }

}  // namespace

void decode_body(reader& r, std::uint8_t, protocol_version, auth& out) noexcept {
  const std::uint8_t* start = r.pos();
  if (r.left() > 0) {
    const std::uint8_t* at = r.pos();
    out.reason_code = r.u8("reason code");
    if (!auth_code(out.reason_code)) return r.protocol(at, "reason code", "is not an AUTH code [MQTT-3.15.2-1]");
    if (r.left() > 0) read_properties(r, property_scope::auth, out.props);
    r.expect_end("AUTH");
  }
  // The Authentication Method is mandatory, so even the short form is an error [V5-U14].
  if (!r.failed() && !out.props.has(property_id::authentication_method)) {
    r.protocol(start, "Authentication Method", "is missing from AUTH [V5-U14]");
  }
}

bool check(const auth& p, protocol_version v, tx_check& c) noexcept {
  if (v != protocol_version::v5) return c.refuse("AUTH", "exists only in MQTT 5.0", 0x82);
  if (!auth_code(p.reason_code)) return c.refuse("reason code", "is not an AUTH code [MQTT-3.15.2-1]", 0x82);
  if (!check_properties(p.props, property_scope::auth, c)) return false;
  if (!p.props.has(property_id::authentication_method)) return c.refuse("Authentication Method", "is required in AUTH [V5-U14]", 0x82);
  return true;
}

std::uint8_t first_byte(const auth&, protocol_version) noexcept { return 0xF0; }

// Never the short form: an AUTH always carries its Authentication Method.
template <class Sink>
void put_body(Sink& s, const auth& p, protocol_version) noexcept {
  s.u8(p.reason_code);
  put_property_block(s, p.props);
}

}  // namespace mqttconn::detail

MQTTCONN_INSTANTIATE_ENCODER(auth)
