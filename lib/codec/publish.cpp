// PUBLISH (5.0 §3.3, 3.1.1 §3.3).
#include "encode.hpp"
#include "properties.hpp"
#include "publish_rules.hpp"

namespace mqttconn {
namespace detail {

void decode_body(reader& r, std::uint8_t flags, protocol_version v, publish& out) noexcept {
  // Flags were checked by decode.cpp: QoS 3 and DUP on QoS 0 never get here.
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

bool check(const publish& p, protocol_version v, tx_check& c) noexcept { return check_publish(p, v, c); }

std::uint8_t first_byte(const publish& p, protocol_version) noexcept { return publish_first_byte(p); }

template <class Sink>
void put_body(Sink& s, const publish& p, protocol_version v) noexcept {
  put_publish_body(s, p, v);
}

}  // namespace detail

result<std::size_t> publish_header_size(const publish& p, protocol_version v) noexcept {
  std::size_t body;
  error e;
  if (!detail::body_size(p, v, body, e)) return e;
  return detail::packet_size(body) - p.payload.size();
}

result<std::size_t> encode_publish_header(const publish& p, protocol_version v,
                                          std::span<std::uint8_t> out) noexcept {
  std::size_t body;
  error e;
  if (!detail::body_size(p, v, body, e)) return e;
  const std::size_t header = detail::packet_size(body) - p.payload.size();
  if (out.size() < header) {
    return detail::tagged<publish>({errc::buffer_too_small, 0, 0, 0, "output buffer", "is too small"});
  }
  detail::write_publish_header(out.data(), p, v, body);
  return header;
}

std::uint8_t* detail::write_publish_header(std::uint8_t* out, const publish& p, protocol_version v,
                                           std::size_t body) noexcept {
  byte_writer w{out};
  w.u8(first_byte(p, v));
  w.vbi(static_cast<std::uint32_t>(body));
  put_publish_header(w, p, v);
  return w.p;
}

}  // namespace mqttconn

MQTTCONN_INSTANTIATE_ENCODER(publish)
