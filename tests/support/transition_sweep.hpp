// Connection rule tests and the transition sweep: reach a state by real exchanges, look at a
// connection without changing it, and check the three things a packet can meet:
//
//   expect_sent(c, bytes, send)        the send succeeds and queues exactly `bytes`
//   expect_refused(c, errc, send)      the send fails and nothing changes (state, level, output)
//   expect_event(c, bytes)             the received packet becomes the event
//   expect_violation(c, bytes, v)      the received packet is the peer's violation: error with
//                                      that code, reason and packet type, closed, the reply
//                                      (CONNACK, DISCONNECT or nothing) queued, and every later
//                                      receive() returns the same error
//
// The sweep (tests/conn/test_transition_sweep.cpp) adds one sample packet per kind and reach(),
// which brings a client or server to idle, connecting, connected or closed at a given level.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <initializer_list>
#include <memory_resource>
#include <string>
#include <string_view>
#include <vector>

#include "codec_helpers.hpp"
#include "conn_pair.hpp"
#include "mqttconn/connection.hpp"

namespace mqttconn::test {

inline constexpr protocol_version all_levels[] = {protocol_version::v3_1, protocol_version::v3_1_1,
                                                  protocol_version::v5};
inline constexpr protocol_version levels_3x[] = {protocol_version::v3_1, protocol_version::v3_1_1};

// Names for failure output (doctest would print these uint8_t enums as characters).
inline std::string name(errc e) { return to_string(e); }
inline std::string name(connection_state s) { return to_string(s); }
inline std::string name(packet_type t) { return to_string(t); }
inline std::string name(role r) { return r == role::client ? "client" : "server"; }
inline std::string name(protocol_version v) {
  return v == protocol_version::v5 ? "5.0" : v == protocol_version::v3_1_1 ? "3.1.1" : "3.1";
}

// Fails the test case with the error's message unless `r` holds a value.
template <class T>
void ok(const result<T>& r) {
  if (!r) FAIL(r.error().message());
}

// Every byte queued in `c`, in order, without consuming any.
inline std::vector<std::uint8_t> queued(const connection& c) {
  std::vector<bytes> segs(c.output_size() + 1);
  const std::size_t n = c.output_segments(segs);
  std::vector<std::uint8_t> out;
  out.reserve(c.output_size());
  for (std::size_t i = 0; i < n; ++i) {
    for (std::uint8_t b : segs[i]) out.push_back(b);
  }
  return out;
}

// `p` encoded at level `v` (a CONNECT at its own level).
template <class P>
std::vector<std::uint8_t> wire(const P& p, protocol_version v) {
  result<std::vector<std::uint8_t>> r = encode_bytes(p, v);
  if (!r) FAIL(r.error().message());
  return *r;
}

// `send` must succeed, queue exactly `expected` after what was queued, and leave `c` in `after`.
template <class Send>
void expect_sent(connection& c, bytes expected, connection_state after, Send&& send) {
  std::vector<std::uint8_t> want = queued(c);
  for (std::uint8_t b : expected) want.push_back(b);
  const result<void> r = send();
  if (!r) {
    FAIL_CHECK("refused: " << r.error().message());
    return;
  }
  CHECK(to_hex(queued(c)) == to_hex(want));
  CHECK(name(c.state()) == name(after));
}

// `send` must fail with `code` and leave `c` exactly as it was: state, level, output, failure.
template <class Send>
void expect_refused(connection& c, errc code, Send&& send) {
  const connection_state state = c.state();
  const protocol_version level = c.version();
  const bool had_failure = c.failure().has_value();
  const std::vector<std::uint8_t> before = queued(c);
  const result<void> r = send();
  if (r) {
    FAIL_CHECK("the send was accepted");
    return;
  }
  INFO(r.error().message());
  CHECK(name(r.error().code) == name(code));
  CHECK(name(c.state()) == name(state));
  CHECK(name(c.version()) == name(level));
  CHECK(c.failure().has_value() == had_failure);
  CHECK(to_hex(queued(c)) == to_hex(before));
}

// Feeds `in`, one whole packet, which must become the event. The reference lives until the
// next receive(), its views as long as `in`.
inline const packet& expect_event(connection& c, bytes in) {
  const result<std::size_t> n = c.receive(in);
  if (!n) FAIL("rejected: " << n.error().message());
  CHECK(*n == in.size());
  const packet* p = c.next_event();
  REQUIRE(p != nullptr);
  CHECK(c.next_event() == nullptr);  // once
  return *p;
}

// A received packet that breaks a rule.
struct violation {
  errc code = errc::protocol_error;
  std::uint8_t reason = 0x82;
  packet_type packet = packet_type::connect;
  // What the connection queues for the peer, as hex(): a CONNACK from a server still
  // answering CONNECT, a 5.0 DISCONNECT otherwise, or nothing ("").
  std::string_view reply;
};

// Feeds `in`, one whole packet, which must be refused as `v`; then checks that the connection
// is closed for good: the same error from every later receive(), sends fail with errc::closed,
// and nothing more is queued.
inline void expect_violation(connection& c, bytes in, const violation& v) {
  std::vector<std::uint8_t> want = queued(c);
  for (std::uint8_t b : hex(v.reply)) want.push_back(b);
  const result<std::size_t> r = c.receive(in);
  if (r) {
    (void)c.next_event();
    FAIL_CHECK("the packet was accepted: " << to_hex(in));
    return;
  }
  const error e = r.error();
  INFO(e.message());
  CHECK(name(e.code) == name(v.code));
  CHECK(int{e.reason_code} == int{v.reason});
  CHECK(name(static_cast<packet_type>(e.packet)) == name(v.packet));
  CHECK(name(c.state()) == name(connection_state::closed));
  CHECK(c.closed());
  REQUIRE(c.failure().has_value());
  CHECK(*c.failure() == e);
  CHECK(c.next_event() == nullptr);
  CHECK(to_hex(queued(c)) == to_hex(want));
  // Sticky: whatever comes next gets the same answer.
  static constexpr std::uint8_t pingreq_bytes[] = {0xC0, 0x00};
  for (bytes again : {in, bytes(pingreq_bytes), bytes()}) {
    const result<std::size_t> r2 = c.receive(again);
    CHECK_FALSE(r2.has_value());
    if (!r2) CHECK(r2.error() == e);
    CHECK(c.next_event() == nullptr);
  }
  const result<void> s = c.send(mqttconn::disconnect{});
  CHECK_FALSE(s.has_value());
  if (!s) CHECK(name(s.error().code) == name(errc::closed));
  CHECK(to_hex(queued(c)) == to_hex(want));
}

// A CONNECT at level `v` with client id `id`, Clean Start, Keep Alive 0.
inline mqttconn::connect make_connect(protocol_version v = protocol_version::v5, std::string_view id = "c1") {
  mqttconn::connect c;
  c.version = v;
  c.client_id = id;
  return c;
}

inline connection_options with_server_role(connection_options o) {
  o.role = role::server;
  return o;
}

// A client and a server connection joined by real exchanges.
struct link {
  connection client;
  connection server;

  // A default client and a server with `server_options` (its role is set to server).
  explicit link(connection_options server_options = {},
                std::pmr::memory_resource* server_mr = std::pmr::get_default_resource())
      : client(make_client()), server(with_server_role(server_options), server_mr) {}

  // The client sends `c` and the server takes it: both connecting.
  void connect(const mqttconn::connect& c) {
    ok(client.connect(c));
    transfer_one<mqttconn::connect>(client, server, [](const mqttconn::connect&) {});
  }
  // The server answers `a` and the client takes it.
  void connack(const mqttconn::connack& a = {}) {
    ok(server.connack(a));
    transfer_one<mqttconn::connack>(server, client, [](const mqttconn::connack&) {});
  }
  // CONNECT and CONNACK 0x00 at level `v`: both connected.
  void open(protocol_version v = protocol_version::v5) {
    connect(make_connect(v));
    connack();
  }
};

// --- The transition sweep -------------------------------------------------------------------

// The 15 packet kinds, in type order.
inline constexpr packet_type all_kinds[] = {
    packet_type::connect,  packet_type::connack,     packet_type::publish,  packet_type::puback,
    packet_type::pubrec,   packet_type::pubrel,      packet_type::pubcomp,  packet_type::subscribe,
    packet_type::suback,   packet_type::unsubscribe, packet_type::unsuback, packet_type::pingreq,
    packet_type::pingresp, packet_type::disconnect,  packet_type::auth};

inline constexpr connection_state all_states[] = {connection_state::idle, connection_state::connecting,
                                                  connection_state::connected, connection_state::closed};

inline constexpr subscription sweep_filters[] = {{"t", qos::at_most_once}};
inline constexpr std::string_view sweep_topics[] = {"t"};
inline constexpr std::uint8_t sweep_codes[] = {0x00};

// A packet of kind P with only its packet id set.
template <class P>
P with_id(std::uint16_t id) {
  P p;
  p.packet_id = id;
  return p;
}

// One legal packet of each kind at level `v`, with nothing that the rules of a plain
// connection (no Authentication Method, default CONNACK) would single out: CONNECT with client
// id "sweep" and Clean Start, CONNACK 0x00, PUBLISH QoS 1 id 1 on "t", acks and SUBSCRIBE /
// UNSUBSCRIBE with id 1 and filter "t", DISCONNECT 0x00, AUTH 0x18 with method "m" (5.0 only).
inline packet sample(packet_type t, protocol_version v) {
  switch (t) {
    case packet_type::connect: return make_connect(v, "sweep");
    case packet_type::connack: return mqttconn::connack{};
    case packet_type::publish: {
      mqttconn::publish p;
      p.topic = "t";
      p.qos = qos::at_least_once;
      p.packet_id = 1;
      p.payload = binary(std::string_view("x"));
      return p;
    }
    case packet_type::puback: return with_id<mqttconn::puback>(1);
    case packet_type::pubrec: return with_id<mqttconn::pubrec>(1);
    case packet_type::pubrel: return with_id<mqttconn::pubrel>(1);
    case packet_type::pubcomp: return with_id<mqttconn::pubcomp>(1);
    case packet_type::subscribe: {
      mqttconn::subscribe s;
      s.packet_id = 1;
      s.subscriptions = sweep_filters;
      return s;
    }
    case packet_type::suback: {
      mqttconn::suback s;
      s.packet_id = 1;
      s.reason_codes = binary(sweep_codes, 1);
      return s;
    }
    case packet_type::unsubscribe: {
      mqttconn::unsubscribe u;
      u.packet_id = 1;
      u.topic_filters = sweep_topics;
      return u;
    }
    case packet_type::unsuback: {
      mqttconn::unsuback u;
      u.packet_id = 1;
      if (v == protocol_version::v5) u.reason_codes = binary(sweep_codes, 1);
      return u;
    }
    case packet_type::pingreq: return mqttconn::pingreq{};
    case packet_type::pingresp: return mqttconn::pingresp{};
    case packet_type::disconnect: return mqttconn::disconnect{};
    case packet_type::auth: {
      mqttconn::auth a;
      a.reason_code = 0x18;
      a.props.set_authentication_method("m");
      return a;
    }
  }
  FAIL("no such packet kind");
  return {};
}

// The bytes of the sample of kind `t` arriving at a connection that decodes level `v`. AUTH
// has no encoding below 5.0: there it is the bare fixed header, which the codec rejects.
inline std::vector<std::uint8_t> incoming(packet_type t, protocol_version v) {
  if (t == packet_type::auth && v != protocol_version::v5) return hex("f0 00");  // AUTH, length 0
  return wire(sample(t, v), v);
}

// A link whose client (role client) or server (role server) is in state `s` at level `v`,
// reached by real exchanges, with nothing queued on either side:
//   idle        fresh connections
//   connecting  the client sent CONNECT ("sweep", Clean Start) and the server took it
//   connected   ... and the server sent CONNACK 0x00, which the client took
//   closed      ... and the client sent DISCONNECT, which the server took
inline link reach(connection_state s, protocol_version v) {
  link l;
  if (s == connection_state::idle) return l;
  l.connect(make_connect(v, "sweep"));
  if (s == connection_state::connecting) return l;
  l.connack();
  if (s == connection_state::connected) return l;
  ok(l.client.disconnect());
  transfer_one<mqttconn::disconnect>(l.client, l.server, [](const mqttconn::disconnect&) {});
  return l;
}

}  // namespace mqttconn::test
