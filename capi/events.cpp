// Events of every kind but PUBLISH (which events.hpp converts inline): C++ packet ->
// mqttconn_packet.
#include "events.hpp"

namespace mqttconn::capi {
namespace events {
namespace {

void put(const connect& p, event_storage& s, mqttconn_packet& out) {
  out.protocol_version = static_cast<std::uint8_t>(p.version);
  out.bridge = p.bridge;
  out.clean_start = p.clean_start;
  out.keep_alive = p.keep_alive;
  out.client_id = bytes_of(p.client_id);
  out.has_will = p.will.has_value();
  if (p.will) {
    const will_message& w = *p.will;
    out.will_qos = static_cast<std::uint8_t>(w.qos);
    out.will_retain = w.retain;
    out.will_topic = bytes_of(w.topic);
    out.will_payload = bytes_of(w.payload);
    props_to_c(w.props, s.will_props, s.will_ups, s.will_sub_ids);
  } else {
    out.will_qos = 0;
    out.will_retain = 0;
    out.will_topic = {};
    out.will_payload = {};
    clear(s.will_props);
  }
  out.has_username = p.username.has_value();
  out.username = p.username ? bytes_of(*p.username) : mqttconn_bytes{};
  out.has_password = p.password.has_value();
  out.password = p.password ? bytes_of(*p.password) : mqttconn_bytes{};
  put_props(p.props, s, out);
}

void put(const connack& p, event_storage& s, mqttconn_packet& out) {
  out.session_present = p.session_present;
  out.reason_code = p.reason_code;
  put_props(p.props, s, out);
}

template <class Ack>
void put_ack(const Ack& p, event_storage& s, mqttconn_packet& out) {
  out.packet_id = p.packet_id;
  out.reason_code = p.reason_code;
  if constexpr (std::is_same_v<Ack, pubrel>) {
    out.dup = p.dup;
  } else {
    out.dup = 0;
  }
  put_props(p.props, s, out);
}

void put(const subscribe& p, event_storage& s, mqttconn_packet& out) {
  out.packet_id = p.packet_id;
  out.dup = p.dup;
  s.subs.clear();
  for (const subscription& x : p.subscriptions) {
    s.subs.push_back({bytes_of(x.topic_filter), static_cast<std::uint8_t>(x.max_qos), x.no_local,
                      x.retain_as_published, x.retain_handling});
  }
  out.subscriptions = s.subs.data();
  out.subscription_count = s.subs.size();
  put_props(p.props, s, out);
}

void put_codes(std::uint16_t packet_id, binary codes, const properties& props, event_storage& s,
                      mqttconn_packet& out) {
  out.packet_id = packet_id;
  out.reason_codes = bytes_of(codes);
  put_props(props, s, out);
}

void put(const unsubscribe& p, event_storage& s, mqttconn_packet& out) {
  out.packet_id = p.packet_id;
  out.dup = p.dup;
  s.filters.clear();
  for (std::string_view f : p.topic_filters) s.filters.push_back(bytes_of(f));
  out.topic_filters = s.filters.data();
  out.topic_filter_count = s.filters.size();
  put_props(p.props, s, out);
}

void put_reason(std::uint8_t reason_code, const properties& props, event_storage& s, mqttconn_packet& out) {
  out.reason_code = reason_code;
  put_props(props, s, out);
}

}  // namespace
}  // namespace events

void to_c_other(const packet& p, event_storage& s, mqttconn_packet& out) {
  using namespace events;
  out.type = static_cast<int>(p.index()) + 1;
  out.will_props = &s.will_props;
  switch (static_cast<packet_type>(out.type)) {
    case packet_type::connect: return put(*std::get_if<connect>(&p), s, out);
    case packet_type::publish:
      put_props(std::get_if<publish>(&p)->props, s, out);
      return put_publish(*std::get_if<publish>(&p), s, out);
    case packet_type::connack: return put(*std::get_if<connack>(&p), s, out);
    case packet_type::puback: return put_ack(*std::get_if<puback>(&p), s, out);
    case packet_type::pubrec: return put_ack(*std::get_if<pubrec>(&p), s, out);
    case packet_type::pubrel: return put_ack(*std::get_if<pubrel>(&p), s, out);
    case packet_type::pubcomp: return put_ack(*std::get_if<pubcomp>(&p), s, out);
    case packet_type::subscribe: return put(*std::get_if<subscribe>(&p), s, out);
    case packet_type::suback: {
      const suback& x = *std::get_if<suback>(&p);
      return put_codes(x.packet_id, x.reason_codes, x.props, s, out);
    }
    case packet_type::unsubscribe: return put(*std::get_if<unsubscribe>(&p), s, out);
    case packet_type::unsuback: {
      const unsuback& x = *std::get_if<unsuback>(&p);
      return put_codes(x.packet_id, x.reason_codes, x.props, s, out);
    }
    case packet_type::disconnect: {
      const disconnect& x = *std::get_if<disconnect>(&p);
      return put_reason(x.reason_code, x.props, s, out);
    }
    case packet_type::auth: {
      const auth& x = *std::get_if<auth>(&p);
      return put_reason(x.reason_code, x.props, s, out);
    }
    default:  // PINGREQ, PINGRESP: no fields, no properties
      clear(s.props);
      out.props = &s.props;
      return;
  }
}

}  // namespace mqttconn::capi
