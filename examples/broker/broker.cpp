// broker: the life of a session (CONNECT to close) and the dispatch of received packets.
// Routing, subscriptions and the QoS flows are in routing.cpp.
#include "broker.hpp"

#include <algorithm>

namespace mqttbroker {

using mqttconn::packet_type;
using mqttconn::protocol_version;
namespace reason = mqttconn::reason;

namespace {

const char* level_name(protocol_version v) {
  switch (v) {
    case protocol_version::v3_1: return "3.1";
    case protocol_version::v3_1_1: return "3.1.1";
    case protocol_version::v5: return "5.0";
  }
  return "?";
}

}  // namespace

namespace {

mqttconn::connection_options connection_options_for(const broker_options& o) {
  mqttconn::connection_options c;
  c.role = mqttconn::role::server;
  c.max_packet_size = o.max_packet_size;
  c.max_output = o.max_output;
  c.borrow_payloads_from = 0;  // routed payloads live only as long as the received packet
  return c;
}

}  // namespace

broker::broker(const broker_options& o, const logger& log)
    : opts_(o), pool_(connection_options_for(o)), log_(log) {}

broker::~broker() = default;

session* broker::find(std::string_view client_id) const {
  const auto it = by_client_id_.find(client_id);
  return it == by_client_id_.end() ? nullptr : it->second;
}

session& broker::open(std::string peer, millis now) {
  auto s = std::make_unique<session>(++serial_, std::move(peer), &pool_, now);
  session& ref = *s;
  sessions_.emplace(&ref, std::move(s));
  ++stats_.connections;
  BROKER_LOG(log_, debug, "%s: new connection", ref.peer.c_str());
  return ref;
}

void broker::receive(session& s, mqttconn::bytes in, millis now) {
  mqttconn::connection& conn = s.conn();
  while (!in.empty() && !s.closing) {
    const mqttconn::result<std::size_t> n = conn.receive(in);
    if (!n) {
      // The connection has queued what the level allows to say (CONNACK or DISCONNECT).
      BROKER_LOG(log_, info, "%s: %s", s.name().c_str(), n.error().message().c_str());
      close(s, true, "protocol error", now);  // [MQTT-3.1.2-8]: the Will goes out
      return;
    }
    in = in.subspan(*n);
    const mqttconn::packet* p = conn.next_event();
    s.partial_input = p == nullptr;  // the bytes ended inside a packet, which conn now holds
    if (p != nullptr) {
      s.last_packet = now;
      on_packet(s, *p, now);
    }
  }
}

void broker::on_packet(session& s, const mqttconn::packet& p, millis now) {
  switch (type_of(p)) {
    case packet_type::connect: return on_connect(s, std::get<mqttconn::connect>(p), now);
    case packet_type::publish: return on_publish(s, std::get<mqttconn::publish>(p), now);
    case packet_type::pubrel: return on_pubrel(s, std::get<mqttconn::pubrel>(p));
    case packet_type::puback:
    case packet_type::pubrec:
    case packet_type::pubcomp: return on_ack(s, p, now);
    case packet_type::subscribe: return on_subscribe(s, std::get<mqttconn::subscribe>(p), now);
    case packet_type::unsubscribe: return on_unsubscribe(s, std::get<mqttconn::unsubscribe>(p));
    case packet_type::pingreq:
      if (const auto r = s.conn().pingresp(); !r) send_failed(s, r, now);
      return;
    case packet_type::disconnect: return on_disconnect(s, std::get<mqttconn::disconnect>(p), now);
    default:
      // AUTH cannot get here: CONNECT with an Authentication Method is refused, and the
      // connection refuses AUTH without one. The rest travel server to client only.
      return;
  }
}

void broker::on_connect(session& s, const mqttconn::connect& c, millis now) {
  const bool v5 = c.version == protocol_version::v5;
  s.version = c.version;
  if (v5 && c.props.authentication_method()) {
    mqttconn::connack refuse;
    refuse.reason_code = reason::bad_authentication_method;  // [5.0 MQTT-4.12.0-1]
    (void)s.conn().connack(refuse);
    close(s, false, "refused: enhanced authentication is not supported", now);
    return;
  }
  std::string id(c.client_id);
  const bool assigned = id.empty();  // 3.1.1 with Clean Session, or 5.0 [MQTT-3.1.3-6] (both)
  if (assigned) {
    for (std::uint64_t n = s.serial; id.empty() || by_client_id_.count(id) != 0; ++n) id = "auto-" + std::to_string(n);
  }
  if (const auto it = by_client_id_.find(id); it != by_client_id_.end()) {
    // [3.1.1 MQTT-3.1.4-2] [5.0 MQTT-3.1.4-3]: the new connection takes the identifier over.
    session& old = *it->second;
    BROKER_LOG(log_, info, "%s: client identifier taken over by %s", old.name().c_str(), s.peer.c_str());
    if (old.version == protocol_version::v5) {
      mqttconn::disconnect d;
      d.reason_code = reason::session_taken_over;
      (void)old.conn().disconnect(d);
    }
    close(old, true, "session taken over", now);
  }
  s.client_id = std::move(id);
  s.keep_alive = c.keep_alive;
  if (c.will) {
    message_view w;
    w.topic = c.will->topic;
    w.payload = c.will->payload;
    w.qos = c.will->qos;
    w.retain = c.will->retain;
    if (v5) w.props = forwarded_properties(c.will->props);  // Will Delay Interval: taken as 0
    s.will = std::make_unique<stored_message>(w, now);
  }
  s.max_inflight = opts_.max_inflight;
  if (v5) s.max_inflight = std::min(s.max_inflight, c.props.receive_maximum().value_or(65535));
  s.max_pending = opts_.max_pending;

  mqttconn::connack a;
  if (v5) {
    mqttconn::properties& pr = a.props;
    if (assigned) pr.set_assigned_client_identifier(s.client_id);
    if (opts_.topic_alias_maximum > 0) pr.set_topic_alias_maximum(opts_.topic_alias_maximum);
    pr.set_maximum_packet_size(opts_.max_packet_size);
    pr.set_shared_subscription_available(false);
    // Sessions end with the connection: a client asking for more is told so (5.0 §3.2.2.3.2:
    // a server using another Session Expiry Interval than the CONNECT's sends it).
    if (c.props.session_expiry_interval().value_or(0) != 0) pr.set_session_expiry_interval(0);
  }
  if (const auto r = s.conn().connack(a); !r) {
    send_failed(s, r, now);
    return;
  }
  s.connected = true;
  s.remember_handshake(c, a);
  s.sleep_when_written = opts_.idle_sleep.count() > 0;
  by_client_id_[s.client_id] = &s;
  BROKER_LOG(log_, info, "%s: connected, MQTT %s, keep-alive %us%s%s", s.name().c_str(), level_name(c.version),
             static_cast<unsigned>(c.keep_alive), c.will ? ", will on " : "",
             c.will ? std::string(c.will->topic).c_str() : "");
}

void broker::on_disconnect(session& s, const mqttconn::disconnect& d, millis now) {
  // 5.0 0x04 "Disconnect with Will Message" keeps the Will; any other DISCONNECT drops it
  // [3.1.1 MQTT-3.14.4-3] [5.0 MQTT-3.1.2-10] [5.0 MQTT-3.14.4-3].
  const bool with_will = d.reason_code == reason::disconnect_with_will_message;
  close(s, with_will, with_will ? "disconnected with will" : "disconnected", now);
}

void broker::written(session& s) {
  if (!s.sleep_when_written) return;
  s.sleep_when_written = false;
  s.sleep();
}

void broker::transport_closed(session& s, const char* why, millis now) {
  if (!s.closing) close(s, true, why, now);  // abrupt: the Will goes out [MQTT-3.1.2-8]
}

void broker::release(session& s) {
  if (!s.closing) close(s, false, "released", s.last_packet);
  sessions_.erase(&s);
}

void broker::close(session& s, bool with_will, const char* why, millis now) {
  if (s.closing) return;
  s.closing = true;
  for (const auto& sub : s.subscriptions) tree_.remove(sub.first, &s);
  s.subscriptions.clear();
  if (const auto it = by_client_id_.find(s.client_id); it != by_client_id_.end() && it->second == &s) {
    by_client_id_.erase(it);
  }
  if (s.connected || log_.enabled(log_level::debug)) {
    BROKER_LOG(log_, info, "%s: closed: %s%s", s.name().c_str(), why,
               with_will && s.will ? ", publishing its will" : "");
  }
  if (with_will && s.connected) {
    publish_will(s, now);
  } else {
    s.will.reset();
  }
}

void broker::send_failed(session& s, const mqttconn::result<void>& r, millis now) {
  BROKER_LOG(log_, info, "%s: cannot send: %s", s.name().c_str(), r.error().message().c_str());
  close(s, true, "output queue full", now);
}

void broker::tick(millis now) {
  for (const auto& entry : sessions_) {
    session& s = *entry.second;
    if (s.closing) continue;
    if (!s.connected) {
      if (now - s.opened > opts_.connect_timeout) close(s, false, "no CONNECT in time", now);
      continue;
    }
    // [3.1.1 MQTT-3.1.2-24] [5.0 MQTT-3.1.2-22]: one and a half times the Keep Alive without a
    // packet.
    if (s.keep_alive != 0 && (now - s.last_packet) * 2 > millis(std::uint64_t{s.keep_alive} * 3000)) {
      if (s.version == protocol_version::v5) {
        mqttconn::disconnect d;
        d.reason_code = reason::keep_alive_timeout;
        (void)s.conn().disconnect(d);
      }
      close(s, true, "keep-alive timeout", now);
      continue;
    }
    if (opts_.idle_sleep.count() > 0 && !s.asleep() && now - s.last_packet >= opts_.idle_sleep) s.sleep();
  }
}

std::size_t broker::asleep_count() const noexcept {
  std::size_t n = 0;
  for (const auto& entry : sessions_) n += entry.second->asleep() ? 1 : 0;
  return n;
}

void broker::shutdown() {
  for (const auto& entry : sessions_) {
    session& s = *entry.second;
    if (s.closing) continue;
    if (s.connected && s.version == protocol_version::v5) {
      mqttconn::disconnect d;
      d.reason_code = reason::server_shutting_down;
      (void)s.conn().disconnect(d);
    }
    close(s, false, "server shutting down", s.last_packet);
  }
}

}  // namespace mqttbroker
