// PUBACK, PUBREC, PUBREL, PUBCOMP (5.0 §3.4-3.7, 3.1.1 §3.4-3.7): a Packet Identifier, and in
// 5.0 a reason code and properties that may be left out (the short forms).
#include "encode.hpp"
#include "properties.hpp"

namespace mqttconn::detail {
namespace {

// Tables 3-4 to 3-7 of 5.0.
bool pub_code(std::uint8_t rc) noexcept {  // PUBACK, PUBREC
  switch (rc) {
    case 0x00: case 0x10: case 0x80: case 0x83: case 0x87: case 0x90: case 0x91: case 0x97: case 0x99:
      return true;
    default:
      return false;
  }
}
bool rel_code(std::uint8_t rc) noexcept { return rc == 0x00 || rc == 0x92; }  // PUBREL, PUBCOMP

template <class P> constexpr property_scope scope_of();
template <> constexpr property_scope scope_of<puback>() { return property_scope::puback; }
template <> constexpr property_scope scope_of<pubrec>() { return property_scope::pubrec; }
template <> constexpr property_scope scope_of<pubrel>() { return property_scope::pubrel; }
template <> constexpr property_scope scope_of<pubcomp>() { return property_scope::pubcomp; }

template <class P>
bool valid_code(std::uint8_t rc) noexcept {
  if constexpr (std::is_same_v<P, puback> || std::is_same_v<P, pubrec>) return pub_code(rc);
  else return rel_code(rc);
}

template <class P>
void decode_ack(reader& r, protocol_version v, P& out) noexcept {
  out.packet_id = read_packet_id(r);
  if (v != protocol_version::v5) return r.expect_end("acknowledgement");
  // Remaining Length 2: reason 0x00, no properties; 3: reason only.
  if (r.left() == 0) return;
  const std::uint8_t* at = r.pos();
  out.reason_code = r.u8("reason code");
  if (!valid_code<P>(out.reason_code)) {
    return r.protocol(at, "reason code", "is not allowed in this packet [MQTT-3.4.2-1]");
  }
  if (r.left() == 0) return;
  read_properties(r, scope_of<P>(), out.props);
  r.expect_end("acknowledgement");
}

template <class P>
bool check_ack(const P& p, protocol_version v, tx_check& c) noexcept {
  if (p.packet_id == 0) return c.refuse("packet identifier", "is 0", 0x82);
  if (v != protocol_version::v5) {
    if (p.reason_code != 0) return c.refuse("reason code", "exists only in MQTT 5.0");
    return no_properties_before_v5(p.props, v, c);
  }
  if (!valid_code<P>(p.reason_code)) return c.refuse("reason code", "is not allowed in this packet", 0x82);
  return check_properties(p.props, scope_of<P>(), c);
}

// The shortest legal form: 2 bytes for success without properties, 3 with a reason only.
template <class Sink, class P>
void put_ack(Sink& s, const P& p, protocol_version v) noexcept {
  s.u16(p.packet_id);
  if (v != protocol_version::v5) return;
  const bool props = !p.props.empty();
  if (p.reason_code == 0 && !props) return;
  s.u8(p.reason_code);
  if (props) put_property_block(s, p.props);
}

}  // namespace

void decode_body(reader& r, std::uint8_t, protocol_version v, puback& out) noexcept { decode_ack(r, v, out); }
void decode_body(reader& r, std::uint8_t, protocol_version v, pubrec& out) noexcept { decode_ack(r, v, out); }
void decode_body(reader& r, std::uint8_t flags, protocol_version v, pubrel& out) noexcept {
  out.dup = (flags & 8) != 0;  // only reaches here at level 3 [V31-D06]
  decode_ack(r, v, out);
}
void decode_body(reader& r, std::uint8_t, protocol_version v, pubcomp& out) noexcept { decode_ack(r, v, out); }

bool check(const puback& p, protocol_version v, tx_check& c) noexcept { return check_ack(p, v, c); }
bool check(const pubrec& p, protocol_version v, tx_check& c) noexcept { return check_ack(p, v, c); }
bool check(const pubrel& p, protocol_version v, tx_check& c) noexcept {
  if (p.dup && v != protocol_version::v3_1) return c.refuse("DUP", "is allowed on PUBREL only at level 3 [V31-D06]");
  return check_ack(p, v, c);
}
bool check(const pubcomp& p, protocol_version v, tx_check& c) noexcept { return check_ack(p, v, c); }

std::uint8_t first_byte(const puback&, protocol_version) noexcept { return 0x40; }
std::uint8_t first_byte(const pubrec&, protocol_version) noexcept { return 0x50; }
std::uint8_t first_byte(const pubrel& p, protocol_version) noexcept { return p.dup ? 0x6A : 0x62; }
std::uint8_t first_byte(const pubcomp&, protocol_version) noexcept { return 0x70; }

template <class Sink>
void put_body(Sink& s, const puback& p, protocol_version v) noexcept { put_ack(s, p, v); }
template <class Sink>
void put_body(Sink& s, const pubrec& p, protocol_version v) noexcept { put_ack(s, p, v); }
template <class Sink>
void put_body(Sink& s, const pubrel& p, protocol_version v) noexcept { put_ack(s, p, v); }
template <class Sink>
void put_body(Sink& s, const pubcomp& p, protocol_version v) noexcept { put_ack(s, p, v); }

}  // namespace mqttconn::detail

MQTTCONN_INSTANTIATE_ENCODER(puback)
MQTTCONN_INSTANTIATE_ENCODER(pubrec)
MQTTCONN_INSTANTIATE_ENCODER(pubrel)
MQTTCONN_INSTANTIATE_ENCODER(pubcomp)
