// broker: the in-memory MQTT broker, without sockets.
//
// The transport (server.cpp, or a test) opens a session per network connection, hands it the
// bytes it reads, writes what the session's connection queues, and closes the transport when
// the session says `closing` and its output is written, then releases the session. Everything
// else happens here: CONNECT/CONNACK, routing PUBLISH to matching subscriptions, the QoS 1 and
// 2 flows both ways, retained messages, Wills, SUBSCRIBE/UNSUBSCRIBE, PINGREQ, keep-alive.
//
// Deliberately left out: persistent sessions (every session is clean; a CONNECT asking for
// Session Expiry gets 0 back in CONNACK), shared subscriptions (CONNACK says unavailable),
// authentication (anonymous; an Authentication Method is refused with 0x8C), Will Delay
// Interval (treated as 0: the Will goes out when the connection ends), and sending Topic
// Aliases to clients (received ones are resolved).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "log.hpp"
#include "message.hpp"
#include "retained.hpp"
#include "session.hpp"
#include "topic_tree.hpp"

namespace mqttbroker {

struct broker_options {
  std::uint32_t max_packet_size = 4u << 20;     // accepted from clients; told in 5.0 CONNACK
  std::uint16_t topic_alias_maximum = 64;       // told in 5.0 CONNACK
  std::uint16_t max_inflight = 256;             // outbound QoS 1/2 per client (and <= Receive Maximum)
  std::size_t max_pending = 1000;               // queued beyond that, per client; more is dropped
  std::size_t max_output = std::size_t{8} << 20;  // bytes queued per connection; more is dropped
  millis connect_timeout{10000};                // a connection that sends no CONNECT is closed
  millis idle_sleep{1000};                      // quiet this long: free the connection (0: never)
};

struct broker_stats {
  std::uint64_t connections = 0;
  std::uint64_t received = 0;   // PUBLISH from clients
  std::uint64_t sent = 0;       // PUBLISH to clients
  std::uint64_t dropped = 0;    // deliveries dropped (queue full, too large, expired)
};

class broker {
 public:
  explicit broker(const broker_options& o = {}, const logger& log = logger(nullptr));
  broker(const broker&) = delete;
  broker& operator=(const broker&) = delete;
  ~broker();

  // A new network connection; `peer` names it in the log.
  session& open(std::string peer, millis now);
  // Bytes read from the connection: all of them are taken. The session may be `closing`
  // afterwards (DISCONNECT, protocol error, refused CONNECT).
  void receive(session& s, mqttconn::bytes in, millis now);
  // The transport has written all of the session's output (output_size() is 0).
  void written(session& s);
  // The transport ended (EOF, error). Unless the session was already closing this is an
  // abrupt close: the Will is published [MQTT-3.1.2-8] (3.1.1 and 5.0).
  void transport_closed(session& s, const char* why, millis now);
  // The transport is closed and the session no longer used: frees it.
  void release(session& s);
  // Keep-alive (1.5 x Keep Alive without a packet) [3.1.1 MQTT-3.1.2-24] [5.0 MQTT-3.1.2-22],
  // CONNECT timeouts, and putting quiet sessions to sleep (see session.hpp).
  void tick(millis now);
  // Server shutdown: 5.0 clients get DISCONNECT 0x8B; every session is closing.
  void shutdown();

  const broker_stats& stats() const noexcept { return stats_; }
  const retained_store& retained() const noexcept { return retained_; }
  const topic_tree& subscriptions() const noexcept { return tree_; }
  std::size_t session_count() const noexcept { return sessions_.size(); }
  std::size_t asleep_count() const noexcept;
  session* find(std::string_view client_id) const;

 private:
  void on_packet(session& s, const mqttconn::packet& p, millis now);
  void on_connect(session& s, const mqttconn::connect& c, millis now);
  void on_publish(session& s, const mqttconn::publish& p, millis now);
  void on_pubrel(session& s, const mqttconn::pubrel& p);
  void on_ack(session& s, const mqttconn::packet& p, millis now);
  void on_subscribe(session& s, const mqttconn::subscribe& p, millis now);
  void on_unsubscribe(session& s, const mqttconn::unsubscribe& p);
  void on_disconnect(session& s, const mqttconn::disconnect& p, millis now);
  // Sends the retained messages matching `filter` to `s` after a SUBSCRIBE.
  void send_retained(session& s, std::string_view filter, const sub_options& o, millis now);
  // Delivers a message to every matching subscription; returns how many sessions matched.
  std::size_t route(const session* origin, const message_view& m, millis now);
  void account(session& s, delivery d);
  // Ends the session: closing, unsubscribed, the Will published if `publish_will`.
  void close(session& s, bool publish_will, const char* why, millis now);
  // A packet queued for `s` failed (its output is full): the session cannot go on.
  void send_failed(session& s, const mqttconn::result<void>& r, millis now);
  void publish_will(session& s, millis now);

  broker_options opts_;
  connection_pool pool_;  // every session's connection comes from here
  logger log_;  // a copy: two words
  broker_stats stats_;
  topic_tree tree_;
  retained_store retained_;
  std::unordered_map<session*, std::unique_ptr<session>> sessions_;
  std::unordered_map<std::string_view, session*> by_client_id_;  // keys view session::client_id
  std::uint64_t serial_ = 0;
  // Scratch, reused between calls.
  std::vector<const subscriber*> matches_;
  std::vector<std::uint32_t> sub_ids_;
  std::vector<mqttconn::user_property> users_;
};

}  // namespace mqttbroker
