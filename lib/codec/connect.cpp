// CONNECT (5.0 §3.1, 3.1.1 §3.1, 3.1 "MQIsdp").
#include "encode.hpp"
#include "properties.hpp"

namespace mqttconn::detail {
namespace {

constexpr std::string_view name_mqtt = "MQTT";
constexpr std::string_view name_mqisdp = "MQIsdp";

// Connect Flags bits.
constexpr std::uint8_t f_reserved = 0x01, f_clean = 0x02, f_will = 0x04, f_will_retain = 0x20,
                       f_password = 0x40, f_username = 0x80;

std::string_view protocol_name(protocol_version v) noexcept {
  return v == protocol_version::v3_1 ? name_mqisdp : name_mqtt;
}

// A Will Topic becomes a PUBLISH Topic Name, so it obeys the Topic Name rules.
void check_will_topic(reader& r, const std::uint8_t* at, std::string_view t) noexcept {
  if (t.empty()) {
    r.protocol(at, "Will Topic", "is empty [MQTT-4.7.3-1]");
  } else if (has_wildcard(reinterpret_cast<const std::uint8_t*>(t.data()), t.size())) {
    r.fail_at(at, errc::topic_name_invalid, 0x90, "Will Topic", "contains a wildcard [MQTT-4.7.1-1]");
  }
}

}  // namespace

void decode_body(reader& r, std::uint8_t, protocol_version, connect& out) noexcept {
  const std::uint8_t* at = r.pos();
  const binary name = r.bin("protocol name");
  const std::uint8_t* level_at = r.pos();
  const std::uint8_t level_byte = r.u8("protocol level");
  if (r.failed()) return;
  const std::uint8_t level = level_byte & 0x7F;
  const bool is_mqtt = name.as_string() == name_mqtt;
  if (!is_mqtt && name.as_string() != name_mqisdp) {
    return r.fail_at(at, errc::unsupported_protocol_version, 0x84, "protocol name",
                     "is neither \"MQTT\" nor \"MQIsdp\" [MQTT-3.1.2-1]");
  }
  // "MQIsdp" goes with level 3 and "MQTT" with 4 and 5 [V31-D01] [V311-U07].
  if (level < 3 || level > 5 || (level == 3) == is_mqtt) {
    return r.fail_at(level_at, errc::unsupported_protocol_version, 0x84, "protocol level",
                     "is not supported with this protocol name [MQTT-3.1.2-2]");
  }
  out.version = static_cast<protocol_version>(level);
  out.bridge = (level_byte & 0x80) != 0;
  const bool v5 = out.version == protocol_version::v5;

  const std::uint8_t* flags_at = r.pos();
  const std::uint8_t flags = r.u8("connect flags");
  if (flags & f_reserved) return r.fail(flags_at, "connect flags", "have the reserved bit set [MQTT-3.1.2-3]");
  const std::uint8_t will_qos = (flags >> 3) & 3;
  if (!(flags & f_will) && (will_qos != 0 || (flags & f_will_retain))) {
    return r.fail(flags_at, "connect flags", "set Will QoS or Will Retain without the Will Flag [MQTT-3.1.2-11]");
  }
  if (will_qos == 3) return r.fail(flags_at, "connect flags", "set Will QoS 3 [MQTT-3.1.2-12]");
  if (!v5 && (flags & f_password) && !(flags & f_username)) {
    return r.fail(flags_at, "connect flags", "set the Password Flag without the User Name Flag [MQTT-3.1.2-22 v3.1.1]");
  }
  out.clean_start = (flags & f_clean) != 0;
  out.keep_alive = r.u16("keep alive");
  if (v5) {
    read_properties(r, property_scope::connect, out.props);
  }
  out.client_id = r.str("client identifier");
  if (flags & f_will) {
    will_message& w = out.will.emplace();
    w.qos = static_cast<mqttconn::qos>(will_qos);
    w.retain = (flags & f_will_retain) != 0;
    if (v5) read_properties(r, property_scope::will, w.props);
    const std::uint8_t* topic_at = r.pos();
    w.topic = r.str("Will Topic");
    if (!r.failed()) check_will_topic(r, topic_at, w.topic);
    w.payload = r.bin("Will Payload");
    if (r.options().check_payload_format && !r.failed() && w.props.payload_format_indicator().value_or(false)) {
      const utf8_check u = utf8_validate(w.payload.data(), w.payload.size(), false, true);
      if (u.fault != utf8_fault::none) {
        return r.fail_at(w.payload.data() + u.at, errc::payload_format_invalid, 0x99, "Will Payload",
                         "is marked UTF-8 but is not [V5-U15]");
      }
    }
  }
  if (flags & f_username) out.username = r.str("user name");
  if (flags & f_password) out.password = r.bin("password");
  r.expect_end("CONNECT payload");
}

bool check(const connect& p, protocol_version, tx_check& c) noexcept {
  // CONNECT is encoded at its own level, whatever the caller's `v`.
  const protocol_version v = p.version;
  if (v != protocol_version::v3_1 && v != protocol_version::v3_1_1 && v != protocol_version::v5) {
    return c.refuse("protocol level", "is not 3, 4 or 5", 0x84);
  }
  const bool v5 = v == protocol_version::v5;
  if (!no_properties_before_v5(p.props, v, c)) return false;
  if (v5 && !check_properties(p.props, property_scope::connect, c)) return false;
  if (p.props.has(property_id::authentication_data) && !p.props.has(property_id::authentication_method)) {
    return c.refuse("Authentication Data", "needs an Authentication Method [V5-U13]", 0x82);
  }
  if (!c.str(p.client_id, "client identifier")) return false;
  if (!v5 && p.client_id.empty() && !p.clean_start) {
    return c.refuse("client identifier", "is empty without Clean Session [MQTT-3.1.3-7 v3.1.1]", 0x85);
  }
  if (p.will) {
    const will_message& w = *p.will;
    if (w.qos > mqttconn::qos::exactly_once) return c.refuse("Will QoS", "is not 0, 1 or 2 [MQTT-3.1.2-12]");
    if (!c.str(w.topic, "Will Topic")) return false;
    if (w.topic.empty()) return c.refuse("Will Topic", "is empty [MQTT-4.7.3-1]", 0x82);
    if (has_wildcard(reinterpret_cast<const std::uint8_t*>(w.topic.data()), w.topic.size())) {
      return c.refuse("Will Topic", "contains a wildcard [MQTT-4.7.1-1]", 0x90);
    }
    if (!c.bin(w.payload, "Will Payload")) return false;
    if (!no_properties_before_v5(w.props, v, c)) return false;
    if (v5 && !check_properties(w.props, property_scope::will, c)) return false;
  }
  if (p.username && !c.str(*p.username, "user name")) return false;
  if (p.password) {
    if (!c.bin(*p.password, "password")) return false;
    if (!v5 && !p.username) {
      return c.refuse("password", "needs a user name before MQTT 5.0 [MQTT-3.1.2-22 v3.1.1]");
    }
  }
  return true;
}

std::uint8_t first_byte(const connect&, protocol_version) noexcept { return 0x10; }

template <class Sink>
void put_body(Sink& s, const connect& p, protocol_version) noexcept {
  const bool v5 = p.version == protocol_version::v5;
  s.str(protocol_name(p.version));
  s.u8(static_cast<std::uint8_t>(static_cast<std::uint8_t>(p.version) | (p.bridge ? 0x80 : 0)));
  std::uint8_t flags = p.clean_start ? f_clean : 0;
  if (p.will) {
    flags |= f_will | static_cast<std::uint8_t>(static_cast<std::uint8_t>(p.will->qos) << 3);
    if (p.will->retain) flags |= f_will_retain;
  }
  if (p.username) flags |= f_username;
  if (p.password) flags |= f_password;
  s.u8(flags);
  s.u16(p.keep_alive);
  if (v5) put_property_block(s, p.props);
  s.str(p.client_id);
  if (p.will) {
    if (v5) put_property_block(s, p.will->props);
    s.str(p.will->topic);
    s.bin(p.will->payload);
  }
  if (p.username) s.str(*p.username);
  if (p.password) s.bin(*p.password);
}

}  // namespace mqttconn::detail

MQTTCONN_INSTANTIATE_ENCODER(connect)
