// The PUBLISH rules and layout (5.0 §3.3, 3.1.1 §3.3), written once as templates over the
// packet on the C++ side or the C side: decode_publish() fills the C++ `publish`
// (publish.cpp) or the C API's event (capi/publish_to_c.hpp); the encoder reads the C++
// `publish` or the C API's view over a mqttconn_packet (capi/sends.hpp). Neither C path builds
// a C++ packet.
//
// Both have publish's members: dup, qos, retain, topic (string view), packet_id, payload
// (binary) and props: a property source for the encoder (properties.hpp), a property
// destination for the decoder (property_reader.hpp).
#pragma once

#include "mqttconn/packet.hpp"
#include "packets.hpp"
#include "property_reader.hpp"
#include "utf8.hpp"

namespace mqttconn::detail {

// The body of a PUBLISH whose fixed-header flags are `flags`, into `out` (all of it is
// written but packet_id, which stays as it was on QoS 0, and props, which stays as it was
// before 5.0). Forced inline into its one caller per destination, so that a C destination's
// fields can stay in registers until they are stored into the caller's struct.
template <class Pub>
[[gnu::always_inline]] inline void decode_publish(reader& r, std::uint8_t flags, protocol_version v,
                                                  Pub& out) noexcept {
  // Flags were checked with the fixed header: QoS 3 and DUP on QoS 0 never get here.
  out.dup = (flags & 8) != 0;
  out.qos = static_cast<mqttconn::qos>((flags >> 1) & 3);
  out.retain = (flags & 1) != 0;
  const std::uint8_t* topic_at = r.pos();
  bool wildcard;
  out.topic = r.topic("topic name", wildcard);
  if (r.failed()) return;
  if (wildcard) {
    return r.fail_at(topic_at, errc::topic_name_invalid, 0x90, "topic name",
                     "contains a wildcard [MQTT-3.3.2-2]");
  }
  if (out.qos != mqttconn::qos::at_most_once) out.packet_id = read_packet_id(r);
  if (v == protocol_version::v5) {
    read_properties(r, property_scope::publish, out.props);
    if (r.failed()) return;
    if (out.topic.empty() && !out.props.has(property_id::topic_alias)) {
      return r.protocol(topic_at, "topic name", "is empty without a Topic Alias [V5-U16]");
    }
  } else if (out.topic.empty()) {
    return r.protocol(topic_at, "topic name", "is empty [MQTT-4.7.3-1 v3.1.1]");
  }
  out.payload = r.rest();
  if (r.options().check_payload_format && out.props.payload_format_indicator().value_or(false)) {
    const utf8_check u = utf8_validate(out.payload.data(), out.payload.size(), false, true);
    if (u.fault != utf8_fault::none) {
      r.fail_at(out.payload.data() + u.at, errc::payload_format_invalid, 0x99, "payload",
                "is marked UTF-8 but is not [V5-U15]");
    }
  }
}

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
