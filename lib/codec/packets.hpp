// What each packet file (connect.cpp ... auth.cpp) provides to the dispatchers in decode.cpp
// and encode.hpp. Decoders get a reader over the body (after the fixed header) and the flags
// nibble, already checked against the flags table by decode.cpp.
#pragma once

#include "mqttconn/packet.hpp"
#include "reader.hpp"
#include "writer.hpp"

namespace mqttconn::detail {

#define MQTTCONN_PACKET_DECLS(P)                                                  \
  void decode_body(reader& r, std::uint8_t flags, protocol_version v, P& out) noexcept; \
  bool check(const P& p, protocol_version v, tx_check& c) noexcept;               \
  std::uint8_t first_byte(const P& p, protocol_version v) noexcept;               \
  template <class Sink>                                                            \
  void put_body(Sink& s, const P& p, protocol_version v) noexcept;

MQTTCONN_PACKET_DECLS(connect)
MQTTCONN_PACKET_DECLS(connack)
MQTTCONN_PACKET_DECLS(publish)
MQTTCONN_PACKET_DECLS(puback)
MQTTCONN_PACKET_DECLS(pubrec)
MQTTCONN_PACKET_DECLS(pubrel)
MQTTCONN_PACKET_DECLS(pubcomp)
MQTTCONN_PACKET_DECLS(subscribe)
MQTTCONN_PACKET_DECLS(suback)
MQTTCONN_PACKET_DECLS(unsubscribe)
MQTTCONN_PACKET_DECLS(unsuback)
MQTTCONN_PACKET_DECLS(pingreq)
MQTTCONN_PACKET_DECLS(pingresp)
MQTTCONN_PACKET_DECLS(disconnect)
MQTTCONN_PACKET_DECLS(auth)
#undef MQTTCONN_PACKET_DECLS

// Refuses any property at levels 3 and 4, which have none.
// Props: `properties` or another property source (properties.hpp).
template <class Props>
bool no_properties_before_v5(const Props& p, protocol_version v, tx_check& c) noexcept {
  return v == protocol_version::v5 || p.empty() ||
         c.refuse("properties", "exist only in MQTT 5.0");
}

// Packet Identifier of every packet that has one [MQTT-2.3.1-1 v3.1.1] [MQTT-2.2.1-3].
inline std::uint16_t read_packet_id(reader& r) noexcept {
  const std::uint8_t* at = r.pos();
  const std::uint16_t id = r.u16("packet identifier");
  if (id == 0 && !r.failed()) r.protocol(at, "packet identifier", "is 0");
  return id;
}

}  // namespace mqttconn::detail
