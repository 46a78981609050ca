// The PUBLISH encoder's rules and layout (5.0 §3.3, 3.1.1 §3.3), written once as templates over
// the source of the packet: the C++ `publish` (publish.cpp), or the C API's view over a
// mqttconn_packet (capi/sends.hpp), which encodes without building a C++ packet.
//
// A source has publish's members: dup, qos, retain, topic (string view), packet_id, payload
// (binary) and props, a property source (properties.hpp).
#pragma once

#include "mqttconn/packet.hpp"
#include "packets.hpp"
#include "properties.hpp"

namespace mqttconn::detail {

template <class Pub>
bool check_publish(const Pub& p, protocol_version v, tx_check& c) noexcept {
  if (p.qos > mqttconn::qos::exactly_once) return c.refuse("QoS", "is 3 [MQTT-3.3.1-4]");
  if (p.qos == mqttconn::qos::at_most_once) {
    if (p.dup) return c.refuse("DUP", "is set on QoS 0 [MQTT-3.3.1-2]");
    // Not silently dropped: the packet would not decode back to what the caller built.
    if (p.packet_id != 0) return c.refuse("packet identifier", "is set on QoS 0 [MQTT-2.2.1-2]");
  } else if (p.packet_id == 0) {
    return c.refuse("packet identifier", "is 0 with QoS > 0 [MQTT-2.2.1-3]", 0x82);
  }
  const auto* topic = reinterpret_cast<const std::uint8_t*>(p.topic.data());
  if (!plain_ascii<true>(topic, p.topic.size()) || p.topic.size() > 65535) {
    if (!c.str(p.topic, "topic name")) return false;
    if (has_wildcard(topic, p.topic.size())) {
      return c.refuse("topic name", "contains a wildcard [MQTT-3.3.2-2]", 0x90);
    }
  }
  if (!no_properties_before_v5(p.props, v, c)) return false;
  if (v == protocol_version::v5 && !check_properties(p.props, property_scope::publish, c)) return false;
  if (p.topic.empty() && !p.props.has(property_id::topic_alias)) {
    return c.refuse("topic name", "is empty without a Topic Alias [MQTT-4.7.3-1]", 0x82);
  }
  return true;
}

template <class Pub>
std::uint8_t publish_first_byte(const Pub& p) noexcept {
  return static_cast<std::uint8_t>(0x30 | (p.dup ? 8 : 0) | (static_cast<std::uint8_t>(p.qos) << 1) |
                                   (p.retain ? 1 : 0));
}

// Everything after the fixed header but the payload.
template <class Sink, class Pub>
void put_publish_header(Sink& s, const Pub& p, protocol_version v) noexcept {
  s.str(p.topic);
  if (p.qos != mqttconn::qos::at_most_once) s.u16(p.packet_id);
  if (v == protocol_version::v5) put_property_block(s, p.props);
}

template <class Sink, class Pub>
void put_publish_body(Sink& s, const Pub& p, protocol_version v) noexcept {
  put_publish_header(s, p, v);
  s.raw(p.payload.data(), p.payload.size());
}

}  // namespace mqttconn::detail
