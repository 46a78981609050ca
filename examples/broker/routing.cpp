// broker: PUBLISH in and out, the QoS flows, SUBSCRIBE and UNSUBSCRIBE, retained messages.
//
// Inbound QoS 2 uses method A of 5.0 §4.3.3: the message is routed when the PUBLISH arrives,
// its packet identifier is remembered until PUBREL, and a repeat in between is acknowledged
// again without being routed again [3.1.1 MQTT-4.3.3-2] [5.0 MQTT-4.3.3-10] [5.0 MQTT-4.3.3-11]
// [5.0 MQTT-4.3.3-12].
//
// A message matching several subscriptions of one client is delivered once, at the highest
// QoS granted among them [5.0 MQTT-3.3.4-2], carrying every Subscription Identifier they have
// [5.0 MQTT-3.3.4-4]. The delivery QoS is min(published QoS, granted QoS).
#include <algorithm>

#include "broker.hpp"

namespace mqttbroker {

using mqttconn::protocol_version;
using mqttconn::qos;
namespace reason = mqttconn::reason;

namespace {

bool is_v5(const session& s) { return s.version == protocol_version::v5; }

}  // namespace

void broker::on_publish(session& s, const mqttconn::publish& p, millis now) {
  std::string_view topic = p.topic;
  if (is_v5(s)) {
    if (const auto alias = p.props.topic_alias()) {
      // The connection has checked 1 <= alias <= our Topic Alias Maximum [5.0 MQTT-3.3.2-12].
      std::string& slot = s.topic_alias(*alias, opts_.topic_alias_maximum);
      if (!topic.empty()) {
        slot.assign(topic);
      } else if (slot.empty()) {
        BROKER_LOG(log_, info, "%s: PUBLISH uses Topic Alias %u, which was never set", s.name().c_str(), unsigned{*alias});
        mqttconn::disconnect d;
        d.reason_code = reason::protocol_error;  // 5.0 §3.3.2.3.4
        (void)s.conn().disconnect(d);
        close(s, true, "protocol error", now);
        return;
      } else {
        topic = slot;
      }
    }
  }
  if (p.qos == qos::exactly_once && s.qos2_pending(p.packet_id)) {
    // A repeat before PUBREL: acknowledge again, do not route again [5.0 MQTT-4.3.3-10].
    mqttconn::pubrec rec;
    rec.packet_id = p.packet_id;
    if (const auto r = s.conn().pubrec(rec); !r) send_failed(s, r, now);
    return;
  }
  ++stats_.received;
  message_view m;
  m.topic = topic;
  m.payload = p.payload;
  m.qos = p.qos;
  m.retain = p.retain;
  if (is_v5(s)) m.props = forwarded_properties(p.props);
  BROKER_LOG(log_, debug, "%s: PUBLISH %.*s QoS %d%s, %zu bytes", s.name().c_str(), static_cast<int>(topic.size()),
             topic.data(), static_cast<int>(p.qos), p.retain ? " retained" : "", p.payload.size());
  // Store, replace, or delete on an empty payload [5.0 MQTT-3.3.1-5] [5.0 MQTT-3.3.1-6]
  // [5.0 MQTT-3.3.1-7] [3.1.1 MQTT-3.3.1-10].
  if (p.retain) retained_.put(m, now);
  const std::size_t matched = route(&s, m, now);
  // 5.0 lets the acknowledgement say nobody was listening (0x10, still a success).
  const std::uint8_t rc = is_v5(s) && matched == 0 ? reason::no_matching_subscribers : reason::success;
  if (p.qos == qos::at_least_once) {
    mqttconn::puback ack;
    ack.packet_id = p.packet_id;
    ack.reason_code = rc;
    if (const auto r = s.conn().puback(ack); !r) send_failed(s, r, now);
  } else if (p.qos == qos::exactly_once) {
    s.qos2_received(p.packet_id);
    mqttconn::pubrec rec;
    rec.packet_id = p.packet_id;
    rec.reason_code = rc;
    if (const auto r = s.conn().pubrec(rec); !r) send_failed(s, r, now);
  }
}

void broker::on_pubrel(session& s, const mqttconn::pubrel& p) {
  const bool known = s.qos2_released(p.packet_id);
  mqttconn::pubcomp comp;
  comp.packet_id = p.packet_id;
  if (!known && is_v5(s)) comp.reason_code = reason::packet_identifier_not_found;
  if (const auto r = s.conn().pubcomp(comp); !r) send_failed(s, r, s.last_packet);
}

void broker::on_ack(session& s, const mqttconn::packet& p, millis now) {
  if (const auto* a = std::get_if<mqttconn::puback>(&p)) {
    if (!s.on_puback(a->packet_id)) BROKER_LOG(log_, debug, "%s: PUBACK for unknown id %u", s.name().c_str(), unsigned{a->packet_id});
  } else if (const auto* rec = std::get_if<mqttconn::pubrec>(&p)) {
    const bool accepted = rec->reason_code < 0x80;
    const bool known = s.on_pubrec(rec->packet_id, accepted);
    if (accepted) {
      // [5.0 MQTT-4.3.3-4]; an unknown identifier still gets its PUBREL, with 0x92 in 5.0.
      mqttconn::pubrel rel;
      rel.packet_id = rec->packet_id;
      if (!known && is_v5(s)) rel.reason_code = reason::packet_identifier_not_found;
      if (const auto r = s.conn().pubrel(rel); !r) return send_failed(s, r, now);
    }
  } else if (const auto* comp = std::get_if<mqttconn::pubcomp>(&p)) {
    if (!s.on_pubcomp(comp->packet_id)) BROKER_LOG(log_, debug, "%s: PUBCOMP for unknown id %u", s.name().c_str(), unsigned{comp->packet_id});
  }
  stats_.dropped += s.drain(now);  // room in the window for queued messages
}

std::size_t broker::route(const session* origin, const message_view& m, millis now) {
  matches_.clear();
  tree_.match(m.topic, matches_);
  if (matches_.empty()) return 0;
  std::sort(matches_.begin(), matches_.end(),
            [](const subscriber* a, const subscriber* b) { return std::less<>()(a->who, b->who); });
  std::shared_ptr<const stored_message> stored;  // made only if a subscriber must queue
  std::size_t sessions = 0;
  for (std::size_t i = 0; i < matches_.size();) {
    session* to = matches_[i]->who;
    int q = -1;
    bool retain = false;
    sub_ids_.clear();
    for (; i < matches_.size() && matches_[i]->who == to; ++i) {
      const sub_options& o = matches_[i]->opts;
      if (o.no_local && to == origin) continue;  // [5.0 MQTT-3.8.3-3]
      q = std::max(q, std::min<int>(static_cast<int>(m.qos), o.qos));
      // [5.0 MQTT-3.3.1-12] [5.0 MQTT-3.3.1-13]; 3.x: always 0 [3.1.1 MQTT-3.3.1-9].
      retain = retain || (o.retain_as_published && m.retain);
      if (o.id != 0) sub_ids_.push_back(o.id);
    }
    if (q < 0) continue;
    ++sessions;
    delivery d = to->deliver(m, static_cast<qos>(q), retain, sub_ids_);
    if (d == delivery::no_room) {
      if (!stored) stored = std::make_shared<const stored_message>(m, now);
      if (to->enqueue(stored, static_cast<qos>(q), retain, sub_ids_)) continue;
      d = delivery::overflow;
    }
    account(*to, d);
  }
  return sessions;
}

void broker::account(session& s, delivery d) {
  switch (d) {
    case delivery::sent:
      ++stats_.sent;
      return;
    case delivery::closed:
    case delivery::no_room:
      return;
    default:
      ++stats_.dropped;
      BROKER_LOG(log_, debug, "%s: message dropped: %s", s.name().c_str(), to_string(d));
      return;
  }
}

void broker::publish_will(session& s, millis now) {
  if (!s.will) return;
  const std::unique_ptr<stored_message> will = std::move(s.will);
  const message_view m = will->view(now, users_);
  BROKER_LOG(log_, info, "%s: will published on %s", s.name().c_str(), will->topic().c_str());
  if (m.retain) retained_.put(m, now);  // [3.1.1 MQTT-3.1.2-17] [5.0 MQTT-3.1.2-15]
  route(nullptr, m, now);
}

void broker::on_subscribe(session& s, const mqttconn::subscribe& p, millis now) {
  std::uint32_t id = 0;
  for (const std::uint32_t x : p.props.subscription_identifiers()) id = x;
  std::vector<std::uint8_t> codes;
  std::vector<bool> existed;
  for (const mqttconn::subscription& f : p.subscriptions) {
    sub_options o;
    o.qos = std::min<std::uint8_t>(static_cast<std::uint8_t>(f.max_qos), 2);
    o.no_local = f.no_local;
    o.retain_as_published = f.retain_as_published;
    o.retain_handling = f.retain_handling;
    o.id = id;
    existed.push_back(tree_.add(f.topic_filter, &s, o));  // replaces an identical one [MQTT-3.8.4-3]
    s.subscriptions.insert_or_assign(std::string(f.topic_filter), o);
    codes.push_back(o.qos);
    BROKER_LOG(log_, info, "%s: subscribed to %.*s, QoS %u", s.name().c_str(), static_cast<int>(f.topic_filter.size()),
               f.topic_filter.data(), unsigned{o.qos});
  }
  mqttconn::suback a;
  a.packet_id = p.packet_id;
  a.reason_codes = mqttconn::binary(codes.data(), codes.size());
  if (const auto r = s.conn().suback(a); !r) return send_failed(s, r, now);
  // Retained messages follow the SUBACK: Retain Handling 0 always, 1 for a new subscription,
  // 2 never [5.0 MQTT-3.3.1-9] [5.0 MQTT-3.3.1-10] [5.0 MQTT-3.3.1-11] [3.1.1 MQTT-3.3.1-6].
  std::size_t i = 0;
  for (const mqttconn::subscription& f : p.subscriptions) {
    const bool was = existed[i++];
    if (f.retain_handling == 0 || (f.retain_handling == 1 && !was)) {
      send_retained(s, f.topic_filter, s.subscriptions.find(f.topic_filter)->second, now);
    }
  }
}

void broker::send_retained(session& s, std::string_view filter, const sub_options& o, millis now) {
  const sub_options opts = o;  // delivering cannot change subscriptions, but be independent of it
  retained_.for_each_match(filter, now, [&](const std::shared_ptr<const stored_message>& sm) {
    const qos q = static_cast<qos>(std::min<int>(static_cast<int>(sm->qos()), opts.qos));
    std::uint32_t ids[1] = {opts.id};
    const std::span<const std::uint32_t> sub_ids(ids, opts.id != 0 ? 1 : 0);
    // RETAIN 1 on messages sent because a subscription was made [3.1.1 MQTT-3.3.1-8].
    delivery d = s.deliver(sm->view(now, users_), q, true, sub_ids);
    if (d == delivery::no_room) {
      if (s.enqueue(sm, q, true, sub_ids)) return;
      d = delivery::overflow;
    }
    account(s, d);
  });
}

void broker::on_unsubscribe(session& s, const mqttconn::unsubscribe& p) {
  std::vector<std::uint8_t> codes;
  for (const std::string_view f : p.topic_filters) {
    const bool removed = tree_.remove(f, &s);
    if (removed) s.subscriptions.erase(s.subscriptions.find(f));
    codes.push_back(removed ? reason::success : reason::no_subscription_existed);
    BROKER_LOG(log_, info, "%s: unsubscribed from %.*s%s", s.name().c_str(), static_cast<int>(f.size()), f.data(),
               removed ? "" : " (no such subscription)");
  }
  mqttconn::unsuback a;
  a.packet_id = p.packet_id;
  if (is_v5(s)) a.reason_codes = mqttconn::binary(codes.data(), codes.size());  // 3.x has none
  if (const auto r = s.conn().unsuback(a); !r) send_failed(s, r, s.last_packet);
}

}  // namespace mqttbroker
