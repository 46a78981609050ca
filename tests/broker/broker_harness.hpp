// Harness for broker tests: clients as mqttconn connections wired to a broker in memory.
//
// A test_client owns a client-role connection and the broker session it talks to. send()
// writes the packet to the broker at once; pull() moves what the broker queued for this
// client into the client connection and keeps the packets it yields, then tells the broker
// the output was written, as the server does: so a session sleeps after its CONNACK and
// every test after connect() also runs through the rebuilt connection (session.hpp). The wire bytes are kept
// alive with the client, so the received packets' views stay valid for the whole test.
#pragma once

#include <doctest/doctest.h>

#include <list>
#include <string>
#include <string_view>
#include <vector>

#include "broker.hpp"
#include "mqttconn/connection.hpp"

namespace mqttbroker::test {

using namespace mqttconn;
using mqttbroker::millis;

inline std::vector<std::uint8_t> drain(connection& c) {
  std::vector<std::uint8_t> out;
  while (c.output_size() > 0) {
    const bytes b = c.output();
    out.insert(out.end(), b.begin(), b.end());
    c.consume_output(b.size());
  }
  return out;
}

// An acknowledgement (PUBACK, PUBREC, PUBREL, PUBCOMP) for `id`.
template <class A>
A ack(std::uint16_t id, std::uint8_t reason_code = 0) {
  A a;
  a.packet_id = id;
  a.reason_code = reason_code;
  return a;
}

inline subscription sub(std::string_view filter, qos q) {
  subscription s;
  s.topic_filter = filter;
  s.max_qos = q;
  return s;
}

inline std::string text(binary b) { return std::string(b.as_string()); }

class test_client {
 public:
  test_client(mqttbroker::broker& b, millis& now, std::size_t max_packet = protocol_max_packet_size)
      : b_(b), now_(now), conn_(connection_options{.role = role::client, .max_packet_size = static_cast<std::uint32_t>(max_packet)}),
        s_(&b.open("test", now)) {}
  test_client(const test_client&) = delete;

  // Sends CONNECT and returns the CONNACK.
  connack connect(protocol_version v, std::string_view id, std::uint16_t keep_alive = 0,
                  const std::optional<will_message>& will = std::nullopt, const properties& props = {}) {
    mqttconn::connect c;
    c.version = v;
    c.client_id = id;
    c.keep_alive = keep_alive;
    c.will = will;
    c.props = props;
    send(c);
    const std::vector<packet> got = pull();
    REQUIRE(got.size() == 1);
    REQUIRE(std::holds_alternative<connack>(got[0]));
    return std::get<connack>(got[0]);
  }

  // Encodes `p` and gives the bytes to the broker.
  void send(const packet& p) {
    const result<void> r = conn_.send(p);
    REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().message()));
    send_bytes(drain(conn_));
  }
  void send_bytes(const std::vector<std::uint8_t>& wire) {
    if (!wire.empty()) b_.receive(*s_, wire, now_);
  }

  // Everything the broker queued for this client since the last pull, decoded.
  std::vector<packet> pull() {
    std::vector<std::uint8_t>& wire = wires_.emplace_back(s_->asleep() ? std::vector<std::uint8_t>() : drain(s_->conn()));
    b_.written(*s_);  // as the server does: a session that just connected goes to sleep
    std::vector<packet> got;
    bytes in(wire);
    while (!in.empty()) {
      const result<std::size_t> n = conn_.receive(in);
      REQUIRE_MESSAGE(n.has_value(), (n ? std::string() : n.error().message()));
      in = in.subspan(*n);
      if (const packet* p = conn_.next_event()) got.push_back(*p);
    }
    return got;
  }

  // The PUBLISH packets of pull(); fails on anything else.
  std::vector<publish> publishes() {
    std::vector<publish> out;
    for (const packet& p : pull()) {
      REQUIRE_MESSAGE(std::holds_alternative<publish>(p), "expected PUBLISH, got " << to_string(type_of(p)));
      out.push_back(std::get<publish>(p));
    }
    return out;
  }

  // The one packet of kind P of pull().
  template <class P>
  P one() {
    const std::vector<packet> got = pull();
    REQUIRE(got.size() == 1);
    REQUIRE_MESSAGE(std::holds_alternative<P>(got[0]), "got " << to_string(type_of(got[0])));
    return std::get<P>(got[0]);
  }

  // SUBSCRIBE to one filter and return the SUBACK's reason codes (retained messages that
  // follow are left for the next pull()).
  std::vector<std::uint8_t> subscribe(const subscription& s, std::uint16_t id = 1, std::uint32_t sub_id = 0) {
    mqttconn::subscribe p;
    p.packet_id = id;
    const subscription subs[] = {s};
    p.subscriptions = subs;
    const std::uint32_t ids[] = {sub_id};
    if (sub_id != 0) p.props.set_subscription_identifiers(ids);
    send(p);
    std::vector<packet> got = pull();
    REQUIRE(!got.empty());
    REQUIRE(std::holds_alternative<suback>(got[0]));
    const suback& a = std::get<suback>(got[0]);
    CHECK(a.packet_id == id);
    pending_.assign(got.begin() + 1, got.end());
    return {a.reason_codes.begin(), a.reason_codes.end()};
  }
  std::vector<std::uint8_t> subscribe(std::string_view filter, qos q, std::uint16_t id = 1) {
    return subscribe(sub(filter, q), id);
  }
  // Packets that arrived right after the last SUBACK (retained messages).
  std::vector<packet> after_suback() { return std::exchange(pending_, {}); }

  void publish_msg(std::string_view topic, std::string_view payload, qos q, std::uint16_t id = 0, bool retain = false) {
    mqttconn::publish p;
    p.topic = topic;
    p.payload = binary(payload);
    p.qos = q;
    p.packet_id = id;
    p.retain = retain;
    send(p);
  }

  session& s() { return *s_; }
  connection& conn() { return conn_; }

 private:
  mqttbroker::broker& b_;
  millis& now_;
  connection conn_;
  session* s_;
  std::list<std::vector<std::uint8_t>> wires_;
  std::vector<packet> pending_;
};

inline const protocol_version all_versions[] = {protocol_version::v3_1, protocol_version::v3_1_1, protocol_version::v5};

// A string, not a const char*: doctest's CAPTURE prints a char pointer as an address.
inline std::string name(protocol_version v) {
  return v == protocol_version::v3_1 ? "3.1" : v == protocol_version::v3_1_1 ? "3.1.1" : "5.0";
}

}  // namespace mqttbroker::test
