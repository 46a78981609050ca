// One test per conn-layer statement of the MQTT 5.0 checklist: DISCONNECT and closing on
// errors.
#include "transition_sweep.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

constexpr protocol_version v5 = protocol_version::v5;

mqttconn::disconnect with_code(std::uint8_t rc) {
  mqttconn::disconnect d;
  d.reason_code = rc;
  return d;
}

}  // namespace

TEST_SUITE("conn v5") {

// --- 3.14: DISCONNECT ------------------------------------------------------------------------

TEST_CASE("server sends DISCONNECT only after a successful CONNACK [MQTT-3.14.0-1]") {
  const mqttconn::disconnect d = with_code(0x89);
  connection idle = make_server();
  expect_refused(idle, errc::wrong_state, [&] { return idle.disconnect(d); });
  link l;
  l.connect(make_connect(v5));
  expect_refused(l.server, errc::wrong_state, [&] { return l.server.disconnect(d); });
  mqttconn::connack refusal;
  refusal.reason_code = 0x88;
  ok(l.server.connack(refusal));
  expect_refused(l.server, errc::closed, [&] { return l.server.disconnect(d); });
  link m;
  m.open(v5);
  expect_sent(m.server, hex("e0 01 89"), connection_state::closed, [&] { return m.server.disconnect(d); });
}

TEST_CASE("client rejects a DISCONNECT before CONNACK [MQTT-3.14.0-1]") {
  link l;
  l.connect(make_connect(v5));
  expect_violation(l.client, hex("e0 01 89"),  // DISCONNECT, reason 0x89 server busy
                   {errc::protocol_error, 0x82, packet_type::disconnect, "e0 01 82"});
}

TEST_CASE("server never puts Session Expiry Interval in DISCONNECT [MQTT-3.14.2-2]") {
  mqttconn::connect c = make_connect(v5);
  c.props.set_session_expiry_interval(60);
  link l;
  l.connect(c);
  l.connack();
  mqttconn::disconnect d;
  d.props.set_session_expiry_interval(0);
  expect_refused(l.server, errc::wrong_state, [&] { return l.server.disconnect(d); });
  // The client may change it (not from 0).
  d.props.set_session_expiry_interval(30);
  expect_sent(l.client, wire(d, v5), connection_state::closed, [&] { return l.client.disconnect(d); });
}

TEST_CASE("client rejects a DISCONNECT with Session Expiry Interval [MQTT-3.14.2-2]") {
  link l;
  l.open(v5);
  const auto in = hex("e0 07"           // DISCONNECT, remaining length 7
                      "00"              // reason 0x00
                      "05 11 0000003c");// properties: Session Expiry Interval 60
  expect_violation(l.client, in, {errc::protocol_error, 0x82, packet_type::disconnect, "e0 01 82"});
}

TEST_CASE("after sending DISCONNECT a side sends nothing more [MQTT-3.14.4-1]") {
  for (role who : {role::client, role::server}) {
    INFO(name(who));
    link l;
    l.open(v5);
    connection& c = who == role::client ? l.client : l.server;
    ok(c.disconnect());
    for (packet_type t : all_kinds) {
      INFO(name(t));
      const packet p = sample(t, v5);
      expect_refused(c, errc::closed, [&] { return c.send(p); });
    }
  }
}

TEST_CASE("after sending DISCONNECT a side is closed [MQTT-3.14.4-2]") {
  for (role who : {role::client, role::server}) {
    INFO(name(who));
    link l;
    l.open(v5);
    connection& c = who == role::client ? l.client : l.server;
    expect_sent(c, hex("e0 00"), connection_state::closed, [&] { return c.disconnect(); });
    CHECK(c.closed());
    CHECK_FALSE(c.failure().has_value());
    const result<std::size_t> r = c.receive(hex("30 05 0001 74 00 78"));  // PUBLISH "t" "x"
    REQUIRE_FALSE(r.has_value());
    CHECK(name(r.error().code) == name(errc::closed));
    CHECK(c.next_event() == nullptr);
  }
}

TEST_CASE("client never raises a Session Expiry Interval of 0 in DISCONNECT [V5-U26]") {
  mqttconn::disconnect d;
  d.props.set_session_expiry_interval(60);
  link l;
  l.open(v5);  // CONNECT without Session Expiry Interval: 0
  expect_refused(l.client, errc::wrong_state, [&] { return l.client.disconnect(d); });
  mqttconn::connect explicit_zero = make_connect(v5);
  explicit_zero.props.set_session_expiry_interval(0);
  link m;
  m.connect(explicit_zero);
  m.connack();
  expect_refused(m.client, errc::wrong_state, [&] { return m.client.disconnect(d); });
  d.props.set_session_expiry_interval(0);
  expect_sent(m.client, wire(d, v5), connection_state::closed, [&] { return m.client.disconnect(d); });
}

TEST_CASE("server rejects a DISCONNECT that raises a Session Expiry Interval of 0 [V5-U26]") {
  const auto in = hex("e0 07"            // DISCONNECT, remaining length 7
                      "00"               // reason 0x00
                      "05 11 0000003c"); // properties: Session Expiry Interval 60
  link l;
  l.open(v5);
  expect_violation(l.server, in, {errc::protocol_error, 0x82, packet_type::disconnect, "e0 01 82"});
  // From a non-zero interval it may change.
  mqttconn::connect c = make_connect(v5);
  c.props.set_session_expiry_interval(10);
  link m;
  m.connect(c);
  m.connack();
  expect_event(m.server, in);
  CHECK(name(m.server.state()) == name(connection_state::closed));
}

// --- 4.13: errors ----------------------------------------------------------------------------

TEST_CASE("server closes on a malformed packet after CONNACK 0x81 or DISCONNECT 0x81 [MQTT-4.13.1-1]") {
  const auto qos3 = hex("36 05 0001 74 00 78");  // PUBLISH with QoS 3 (both QoS bits set)
  const auto bad_connect = hex("10 0f"          // CONNECT, remaining length 15
                               "00 04 4d515454" // protocol name "MQTT"
                               "05"             // protocol level 5
                               "03"             // connect flags: clean start + reserved bit (bad)
                               "00 3c"          // keep alive 60 s
                               "00"             // properties: none
                               "00 02 6331");   // client id "c1"
  SUBCASE("a malformed CONNECT") {
    connection server = make_server();
    expect_violation(server, bad_connect, {errc::malformed_packet, 0x81, packet_type::connect, "20 03 00 81 00"});
  }
  SUBCASE("a malformed CONNECT in two pieces") {
    connection server = make_server();
    const result<std::size_t> n = server.receive(bytes(bad_connect).first(4));
    ok(n);
    CHECK(*n == 4);
    expect_violation(server, bytes(bad_connect).subspan(4),
                     {errc::malformed_packet, 0x81, packet_type::connect, "20 03 00 81 00"});
  }
  SUBCASE("before CONNACK") {
    link l;
    l.connect(make_connect(v5));
    expect_violation(l.server, qos3, {errc::malformed_packet, 0x81, packet_type::publish, "20 03 00 81 00"});
  }
  SUBCASE("after CONNACK") {
    link l;
    l.open(v5);
    expect_violation(l.server, qos3, {errc::malformed_packet, 0x81, packet_type::publish, "e0 01 81"});
  }
  SUBCASE("a protocol error") {
    link l;
    l.open(v5);
    expect_violation(l.server, hex("e0 01 03"),  // DISCONNECT with reason 0x03: not a DISCONNECT code
                     {errc::protocol_error, 0x82, packet_type::disconnect, "e0 01 82"});
  }
}

TEST_CASE("a connection is closed when a failure CONNACK or DISCONNECT applies whether or not it was sent [MQTT-4.13.2-1]") {
  SUBCASE("server: no room for the CONNACK") {
    connection server(connection_options{.role = role::server, .max_output = 4});  // a CONNACK needs 5
    expect_event(server, wire(make_connect(v5), v5));
    expect_violation(server, wire(make_connect(v5), v5), {errc::protocol_error, 0x82, packet_type::connect, ""});
  }
  SUBCASE("client: no room for the DISCONNECT") {
    const mqttconn::connect c = make_connect(v5);
    const std::size_t connect_size = wire(c, v5).size();
    connection client(connection_options{.role = role::client, .max_output = connect_size});
    ok(client.connect(c));  // the CONNECT fills the queue
    expect_violation(client, hex("d0 00"),  // PINGRESP before CONNACK
                     {errc::protocol_error, 0x82, packet_type::pingresp, ""});
    CHECK(client.output_size() == connect_size);
  }
  SUBCASE("a DISCONNECT with a failure code received") {
    link l;
    l.open(v5);
    const auto in = hex("e0 01 8b");  // DISCONNECT, reason 0x8B server shutting down
    expect_event(l.client, in);
    CHECK(name(l.client.state()) == name(connection_state::closed));
  }
  SUBCASE("a DISCONNECT with a failure code sent") {
    link l;
    l.open(v5);
    expect_sent(l.client, hex("e0 01 80"), connection_state::closed,
                [&] { return l.client.disconnect(with_code(0x80)); });
  }
}

TEST_CASE("client that finds a malformed packet or protocol error sends DISCONNECT with the reason and closes [V5-U31]") {
  SUBCASE("malformed") {
    link l;
    l.open(v5);
    const auto in = hex("30 05"    // PUBLISH QoS 0, remaining length 5
                        "0009 74"  // topic length 9: runs past the end
                        "00 78");
    expect_violation(l.client, in, {errc::malformed_packet, 0x81, packet_type::publish, "e0 01 81"});
  }
  SUBCASE("protocol error") {
    link l;
    l.open(v5);
    expect_violation(l.client, hex("c0 00"),  // PINGREQ: wrong direction
                     {errc::protocol_error, 0x82, packet_type::pingreq, "e0 01 82"});
  }
}

}  // TEST_SUITE
