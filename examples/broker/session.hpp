// session: one client's state in the broker, around its mqttconn::connection.
//
// The connection checks and encodes packets; the session adds what the connection leaves to
// its caller: the client identifier and Will, keep-alive bookkeeping, the client's topic
// aliases, inbound QoS 2 packet identifiers (for duplicate suppression), and the outbound
// side of QoS 1 and 2: packet identifiers, the in-flight window (at most the client's Receive
// Maximum [5.0 MQTT-3.3.4-9]) and a bounded queue of messages waiting for room in it.
//
// Sessions are clean only (Clean Session 1 / Clean Start 1, Session Expiry 0): nothing
// survives the network connection, so nothing is ever retransmitted [MQTT-4.4.0-1] (3.1.1
// and 5.0: only a resumed session resends).
//
// Sleeping. A connection object is about a kilobyte, most of it the slot for one received
// packet, and an idle client needs none of it. Once connected, the session keeps its CONNECT
// (without Will, credentials and User Properties: the connection does not use them) and its
// CONNACK, encoded: a few dozen bytes. sleep() frees the connection when it holds nothing
// (no queued output, no partial packet, nothing in flight); conn() rebuilds it by replaying
// that handshake through a fresh connection, which settles exactly the same state. The
// broker puts a session to sleep as soon as its CONNACK is written (so a client that only
// connects never keeps a connection object) and again after a quiet period
// (broker_options::idle_sleep); a client with steady traffic stays awake.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "message.hpp"
#include "mqttconn/connection.hpp"
#include "topic_tree.hpp"

namespace mqttbroker {

// What became of a message handed to a session.
enum class delivery : std::uint8_t {
  sent,       // queued on the connection
  no_room,    // QoS > 0 and the in-flight window is full: call enqueue()
  too_large,  // larger than the client's Maximum Packet Size: dropped [5.0 MQTT-3.1.2-25]
  overflow,   // the connection's output queue is full: dropped
  expired,    // its Message Expiry Interval passed: dropped [5.0 MQTT-3.3.2-5]
  closed,     // the session is closing
};
const char* to_string(delivery d) noexcept;

// Spare connection objects. A sleeping session gives its connection back and a waking or new
// one takes a spare, so the kilobyte-sized objects are reused instead of leaving holes in the
// heap between the small blocks of sleeping sessions.
class connection_pool {
 public:
  explicit connection_pool(const mqttconn::connection_options& o, std::size_t keep = 64) : opts_(o), keep_(keep) {}
  // A connection in its initial state.
  std::unique_ptr<mqttconn::connection> acquire();
  void release(std::unique_ptr<mqttconn::connection> c);
  std::size_t spare() const noexcept { return spare_.size(); }

 private:
  mqttconn::connection_options opts_;
  std::size_t keep_;
  std::vector<std::unique_ptr<mqttconn::connection>> spare_;
};

class session {
 public:
  // `pool` outlives the session (the broker's).
  session(std::uint64_t serial, std::string peer, connection_pool* pool, millis now);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // --- The connection -----------------------------------------------------------------
  // The connection, rebuilt first if the session sleeps.
  mqttconn::connection& conn();
  bool asleep() const noexcept { return conn_ == nullptr; }
  std::size_t output_size() const noexcept { return conn_ ? conn_->output_size() : 0; }
  // Keeps what conn() needs to rebuild the connection after sleep(): call after the CONNACK
  // that accepted the client.
  void remember_handshake(const mqttconn::connect& c, const mqttconn::connack& a);
  // Frees the connection if it holds nothing; true if it did.
  bool sleep();
  bool partial_input = false;  // the last bytes received ended inside a packet
  bool sleep_when_written = false;  // just connected: sleep once the CONNACK is out

  // --- Identity and state -------------------------------------------------------------
  mqttconn::protocol_version version = mqttconn::protocol_version::v5;  // from CONNECT
  std::string peer;       // "127.0.0.1:40312", for the log
  std::string client_id;  // set on CONNECT
  std::uint64_t serial;   // order of arrival
  millis opened;
  millis last_packet;     // for the keep-alive
  std::uint16_t keep_alive = 0;  // seconds, 0: none
  bool connected = false;        // CONNACK 0x00 sent
  bool closing = false;          // the transport is to be closed once the output is written
  std::unique_ptr<stored_message> will;
  // "client-id (peer)", or the peer before CONNECT, for the log.
  std::string name() const { return client_id.empty() ? peer : client_id + " (" + peer + ")"; }
  std::map<std::string, sub_options, std::less<>> subscriptions;

  // --- Inbound ------------------------------------------------------------------------
  // The topic name a 5.0 Topic Alias stands for [5.0 MQTT-3.3.2-12], "" if unset; `alias` is
  // 1..max, which the connection has checked.
  std::string& topic_alias(std::uint16_t alias, std::uint16_t max);
  // QoS 2 packet identifiers received and not yet released by PUBREL (method A, 4.3.3).
  bool qos2_pending(std::uint16_t id) const;
  void qos2_received(std::uint16_t id);
  bool qos2_released(std::uint16_t id);  // false if the identifier was not pending

  // --- Outbound -----------------------------------------------------------------------
  std::uint16_t max_inflight = 65535;  // min(client's Receive Maximum, broker limit)
  std::uint32_t max_pending = 1000;

  // Sends the message at `qos` with `retain` and the Subscription Identifiers.
  delivery deliver(const message_view& m, mqttconn::qos qos, bool retain,
                   std::span<const std::uint32_t> sub_ids);
  // Queues a message for when the in-flight window has room; false when the queue is full.
  bool enqueue(std::shared_ptr<const stored_message> m, mqttconn::qos qos, bool retain,
               std::span<const std::uint32_t> sub_ids);
  // Acknowledgements from the client; each returns false for an unknown packet identifier.
  bool on_puback(std::uint16_t id);
  bool on_pubrec(std::uint16_t id, bool accepted);  // !accepted: a 5.0 PUBREC >= 0x80 ends the flow
  bool on_pubcomp(std::uint16_t id);
  // Sends queued messages while the window has room; returns how many were dropped (expired,
  // too large, output full).
  std::size_t drain(millis now);

  std::size_t inflight() const noexcept { return f_ ? f_->inflight.size() : 0; }
  std::size_t pending() const noexcept { return f_ ? f_->pending.size() - f_->pending_head : 0; }

 private:
  enum class stage : std::uint8_t { puback, pubrec, pubcomp };
  struct waiting {
    std::shared_ptr<const stored_message> msg;
    mqttconn::qos qos;
    bool retain;
    std::vector<std::uint32_t> sub_ids;
  };
  std::uint16_t next_packet_id();
  void wake();

  connection_pool* pool_;
  std::unique_ptr<mqttconn::connection> conn_;
  std::vector<std::uint8_t> handshake_;  // CONNECT then CONNACK, encoded; empty: cannot sleep
  std::size_t connect_len_ = 0;

  // The state of messages in flight, allocated on first use and freed when empty again, so
  // a quiet session does not carry four empty containers.
  struct flows {
    std::unordered_map<std::uint16_t, stage> inflight;
    std::vector<waiting> pending;  // FIFO: [pending_head, size())
    std::size_t pending_head = 0;
    std::unordered_set<std::uint16_t> qos2_received;
    std::vector<std::string> topic_aliases;
    bool empty() const noexcept {
      return inflight.empty() && pending.empty() && qos2_received.empty() && topic_aliases.empty();
    }
  };
  flows& f();
  std::unique_ptr<flows> f_;
  std::uint16_t last_id_ = 0;
};

}  // namespace mqttbroker
