#include "session.hpp"

#include "mqttconn/codec.hpp"

namespace mqttbroker {

using mqttconn::errc;
using bytes_view = mqttconn::bytes;
using mqttconn::qos;

const char* to_string(delivery d) noexcept {
  switch (d) {
    case delivery::sent: return "sent";
    case delivery::no_room: return "no room in flight";
    case delivery::too_large: return "larger than the client's Maximum Packet Size";
    case delivery::overflow: return "output queue full";
    case delivery::expired: return "expired";
    case delivery::closed: return "session closing";
  }
  return "unknown";
}

std::unique_ptr<mqttconn::connection> connection_pool::acquire() {
  if (spare_.empty()) return std::make_unique<mqttconn::connection>(opts_);
  std::unique_ptr<mqttconn::connection> c = std::move(spare_.back());
  spare_.pop_back();
  *c = mqttconn::connection(opts_);  // a fresh state; the old buffers are freed
  return c;
}

void connection_pool::release(std::unique_ptr<mqttconn::connection> c) {
  if (c && spare_.size() < keep_) spare_.push_back(std::move(c));
}

session::session(std::uint64_t serial_, std::string peer_, connection_pool* pool, millis now)
    : peer(std::move(peer_)), serial(serial_), opened(now), last_packet(now), pool_(pool), conn_(pool->acquire()) {}

session::~session() { pool_->release(std::move(conn_)); }

mqttconn::connection& session::conn() {
  if (!conn_) wake();
  return *conn_;
}

void session::remember_handshake(const mqttconn::connect& c, const mqttconn::connack& a) {
  mqttconn::connect kept = c;
  kept.will.reset();
  kept.username.reset();
  kept.password.reset();
  kept.props.clear(mqttconn::property_id::user_property);
  handshake_.clear();
  if (!mqttconn::encode(kept, c.version, handshake_)) return handshake_.clear();
  connect_len_ = handshake_.size();
  if (!mqttconn::encode(a, c.version, handshake_)) return handshake_.clear();
  handshake_.shrink_to_fit();
}

bool session::sleep() {
  if (!conn_ || handshake_.empty() || !connected || closing || partial_input || conn_->output_size() != 0 ||
      inflight() != 0 || pending() != 0) {
    return false;
  }
  pool_->release(std::move(conn_));
  if (f_ && f_->empty()) f_.reset();
  return true;
}

void session::wake() {
  // The replay cannot fail: these are the bytes this connection accepted and sent before. If
  // it somehow did, the connection is left failed or not connected, every send fails, and the
  // broker closes the session through its usual error paths.
  conn_ = pool_->acquire();
  bytes_view in(handshake_.data(), connect_len_);
  const mqttconn::result<std::size_t> n = conn_->receive(in);
  if (n && *n == in.size() && conn_->next_event() != nullptr) {
    mqttconn::packet ack;
    const bytes_view a(handshake_.data() + connect_len_, handshake_.size() - connect_len_);
    if (mqttconn::decode(a, version, ack) && std::holds_alternative<mqttconn::connack>(ack)) {
      (void)conn_->connack(std::get<mqttconn::connack>(ack));
    }
  }
  conn_->consume_output(conn_->output_size());  // the CONNACK went out long ago
}

session::flows& session::f() {
  if (!f_) f_ = std::make_unique<flows>();
  return *f_;
}

std::string& session::topic_alias(std::uint16_t alias, std::uint16_t max) {
  std::vector<std::string>& a = f().topic_aliases;
  if (a.size() < max) a.resize(max);
  return a[alias - 1];
}

bool session::qos2_pending(std::uint16_t id) const { return f_ && f_->qos2_received.count(id) != 0; }

void session::qos2_received(std::uint16_t id) { f().qos2_received.insert(id); }

bool session::qos2_released(std::uint16_t id) { return f_ && f_->qos2_received.erase(id) != 0; }

std::uint16_t session::next_packet_id() {
  // Identifiers in flight are skipped [5.0 MQTT-2.2.1-3]; the window is smaller than 65535, so
  // a free one exists.
  do {
    last_id_ = static_cast<std::uint16_t>(last_id_ == 65535 ? 1 : last_id_ + 1);
  } while (f_ && f_->inflight.count(last_id_) != 0);
  return last_id_;
}

delivery session::deliver(const message_view& m, qos q, bool retain, std::span<const std::uint32_t> sub_ids) {
  if (closing || !connected) return delivery::closed;
  if (q != qos::at_most_once && inflight() >= max_inflight) return delivery::no_room;
  mqttconn::publish p;
  p.topic = m.topic;
  p.payload = m.payload;
  p.qos = q;
  p.retain = retain;
  if (version == mqttconn::protocol_version::v5) {
    p.props = m.props;
    if (!sub_ids.empty()) p.props.set_subscription_identifiers(sub_ids);
  }
  if (q != qos::at_most_once) p.packet_id = next_packet_id();
  const mqttconn::result<void> r = conn().publish(p);
  if (!r) {
    // Dropped, as if delivered: nothing went out, so the identifier is free again.
    if (r.error().code == errc::output_full) return delivery::overflow;
    if (r.error().reason_code == mqttconn::reason::packet_too_large) return delivery::too_large;
    return delivery::closed;
  }
  if (q != qos::at_most_once) f().inflight.emplace(p.packet_id, q == qos::at_least_once ? stage::puback : stage::pubrec);
  return delivery::sent;
}

bool session::enqueue(std::shared_ptr<const stored_message> m, qos q, bool retain,
                      std::span<const std::uint32_t> sub_ids) {
  if (pending() >= max_pending) return false;
  f().pending.push_back({std::move(m), q, retain, std::vector<std::uint32_t>(sub_ids.begin(), sub_ids.end())});
  return true;
}

bool session::on_puback(std::uint16_t id) {
  if (!f_) return false;
  const auto it = f_->inflight.find(id);
  if (it == f_->inflight.end() || it->second != stage::puback) return false;
  f_->inflight.erase(it);
  return true;
}

bool session::on_pubrec(std::uint16_t id, bool accepted) {
  if (!f_) return false;
  const auto it = f_->inflight.find(id);
  if (it == f_->inflight.end() || it->second != stage::pubrec) return false;
  if (accepted) {
    it->second = stage::pubcomp;
  } else {
    f_->inflight.erase(it);  // 5.0 §4.3.3: a PUBREC >= 0x80 ends the exchange, the id is free
  }
  return true;
}

bool session::on_pubcomp(std::uint16_t id) {
  if (!f_) return false;
  const auto it = f_->inflight.find(id);
  if (it == f_->inflight.end() || it->second != stage::pubcomp) return false;
  f_->inflight.erase(it);
  return true;
}

std::size_t session::drain(millis now) {
  std::size_t dropped = 0;
  if (!f_) return dropped;
  std::vector<mqttconn::user_property> users;
  while (pending() > 0 && inflight() < max_inflight && !closing) {
    waiting& w = f_->pending[f_->pending_head];
    if (w.msg->expired(now)) {
      ++dropped;
    } else {
      const delivery d = deliver(w.msg->view(now, users), w.qos, w.retain, w.sub_ids);
      if (d == delivery::no_room) break;
      if (d != delivery::sent) ++dropped;
    }
    f_->pending[f_->pending_head] = waiting{};
    ++f_->pending_head;
  }
  std::vector<waiting>& q = f_->pending;
  if (f_->pending_head == q.size()) {
    q.clear();
    q.shrink_to_fit();
    f_->pending_head = 0;
  } else if (f_->pending_head >= 64 && f_->pending_head * 2 >= q.size()) {
    q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(f_->pending_head));
    f_->pending_head = 0;
  }
  return dropped;
}

}  // namespace mqttbroker
