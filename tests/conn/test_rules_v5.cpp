// One test per conn-layer statement of the MQTT 5.0 checklist (../shared/spec/conformance-v5.md):
// CONNECT and CONNACK. Authentication is in test_rules_v5_auth.cpp, what CONNACK settles for
// the rest of the connection in test_rules_v5_connected.cpp, closing in
// test_rules_v5_closing.cpp.
#include "transition_sweep.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

constexpr protocol_version v5 = protocol_version::v5;

connack with_code(std::uint8_t rc) {
  connack a;
  a.reason_code = rc;
  return a;
}

}  // namespace

TEST_SUITE("conn v5") {

// --- 3.1.0: CONNECT first, and only once ----------------------------------------------------

TEST_CASE("client refuses to send any packet before CONNECT [MQTT-3.1.0-1]") {
  connection client = make_client();
  for (packet_type t : all_kinds) {
    if (t == packet_type::connect) continue;
    INFO(name(t));
    const packet p = sample(t, v5);
    expect_refused(client, errc::wrong_state, [&] { return client.send(p); });
  }
  const mqttconn::connect c = make_connect(v5);
  expect_sent(client, wire(c, v5), connection_state::connecting, [&] { return client.connect(c); });
}

TEST_CASE("server closes without a reply when the first packet is not CONNECT [MQTT-3.1.0-1]") {
  for (packet_type t : all_kinds) {
    if (t == packet_type::connect) continue;
    INFO(name(t));
    connection server = make_server();
    // No CONNACK: nothing may precede it, and there is no CONNECT to answer.
    expect_violation(server, incoming(t, v5), {errc::protocol_error, 0x82, t, ""});
  }
  // The same with hand-made bytes: a PUBLISH as the very first packet.
  connection server = make_server();
  const auto in = hex("30 07"         // PUBLISH QoS 0, remaining length 7
                      "00 01 74"      // topic "t"
                      "00"            // properties: none
                      "68 65 79");    // payload "hey"
  expect_violation(server, in, {errc::protocol_error, 0x82, packet_type::publish, ""});
}

TEST_CASE("client refuses to send a second CONNECT [MQTT-3.1.0-2]") {
  link l;
  const mqttconn::connect c = make_connect(v5);
  l.connect(c);
  expect_refused(l.client, errc::wrong_state, [&] { return l.client.connect(c); });
  l.connack();
  expect_refused(l.client, errc::wrong_state, [&] { return l.client.connect(c); });
  CHECK(name(l.client.state()) == name(connection_state::connected));
}

TEST_CASE("server rejects a second CONNECT before its CONNACK with CONNACK 0x82 [MQTT-3.1.0-2]") {
  link l;
  l.connect(make_connect(v5));
  const auto again = hex("10 0f"          // CONNECT, remaining length 15
                         "00 04 4d515454" // protocol name "MQTT"
                         "05"             // protocol level 5
                         "02"             // connect flags: clean start
                         "00 3c"          // keep alive 60 s
                         "00"             // properties: none
                         "00 02 6332");   // client id "c2"
  expect_violation(l.server, again,
                   {errc::protocol_error, 0x82, packet_type::connect,
                    "20 03 00 82 00"});  // CONNACK: flags 0, reason 0x82, no properties
}

TEST_CASE("server rejects a second CONNECT after its CONNACK with DISCONNECT 0x82 [MQTT-3.1.0-2]") {
  link l;
  l.open(v5);
  expect_violation(l.server, wire(make_connect(v5, "c2"), v5),
                   {errc::protocol_error, 0x82, packet_type::connect,
                    "e0 01 82"});  // DISCONNECT, reason 0x82
}

// --- 3.1.2: protocol level ------------------------------------------------------------------

TEST_CASE("server refuses an unknown protocol level with a CONNACK every client level can read [MQTT-3.1.2-2]") {
  connection server = make_server();
  const auto in = hex("10 0f"          // CONNECT, remaining length 15
                      "00 04 4d515454" // protocol name "MQTT"
                      "06"             // protocol level 6: not 3, 4 or 5
                      "02"             // connect flags: clean start
                      "00 3c"          // keep alive 60 s
                      "00"             // properties (if it were 5.0): none
                      "00 02 6331");   // client id "c1"
  // Unsupported Protocol Version (0x84); answered in the 3.1.1 form, return code 0x01, as
  // the level of the client is unknown.
  expect_violation(server, in,
                   {errc::unsupported_protocol_version, 0x84, packet_type::connect,
                    "20 02 00 01"});  // CONNACK: flags 0, return code 1 (unacceptable protocol level)
}

// --- 3.1.3: client identifier ---------------------------------------------------------------

TEST_CASE("server accepts any client identifier of 1 to 23 letters and digits [MQTT-3.1.3-5]") {
  for (std::string_view id : {std::string_view("a"), std::string_view("Z9"),
                              std::string_view("0123456789abcdefghijXYZ")}) {
    INFO(id);
    link l;
    ok(l.client.connect(make_connect(v5, id)));
    const std::vector<std::uint8_t> in = drain(l.client);
    const packet& got = expect_event(l.server, in);
    REQUIRE(std::holds_alternative<mqttconn::connect>(got));
    CHECK(std::get<mqttconn::connect>(got).client_id == id);
    CHECK(name(l.server.state()) == name(connection_state::connecting));
    CHECK(l.server.output_size() == 0);  // nothing refused it
    expect_sent(l.server, hex("20 03 00 00 00"), connection_state::connected,
                [&] { return l.server.connack({}); });
  }
}

TEST_CASE("server refuses a success CONNACK without Assigned Client Identifier for an empty client id [MQTT-3.1.3-7] [MQTT-3.2.2-16]") {
  link l;
  l.connect(make_connect(v5, ""));
  expect_refused(l.server, errc::wrong_state, [&] { return l.server.connack({}); });
  // A refusal needs no identifier.
  {
    link r;
    r.connect(make_connect(v5, ""));
    expect_sent(r.server, hex("20 03 00 85 00"), connection_state::closed,
                [&] { return r.server.connack(with_code(0x85)); });
  }
  connack a;
  a.props.set_assigned_client_identifier("srv-1");
  expect_sent(l.server,
              hex("20 0b"                          // CONNACK, remaining length 11
                  "00 00"                          // flags 0, reason 0x00
                  "08 12 0005 7372762d31"),        // properties: Assigned Client Identifier "srv-1"
              connection_state::connected, [&] { return l.server.connack(a); });
}

TEST_CASE("client rejects a success CONNACK without Assigned Client Identifier after an empty client id [MQTT-3.2.2-16]") {
  link l;
  l.connect(make_connect(v5, ""));
  const auto in = hex("20 03"   // CONNACK, remaining length 3
                      "00 00"   // flags 0, reason 0x00
                      "00");    // properties: none
  expect_violation(l.client, in, {errc::protocol_error, 0x82, packet_type::connack, "e0 01 82"});
}

TEST_CASE("server refuses a client identifier with CONNACK 0x85 and closes [MQTT-3.1.3-8]") {
  link l;
  l.connect(make_connect(v5, "not/valid"));
  expect_sent(l.server, hex("20 03 00 85 00"), connection_state::closed,
              [&] { return l.server.connack(with_code(0x85)); });
  const packet& got = expect_event(l.client, drain(l.server));
  CHECK(std::get<connack>(got).reason_code == 0x85);
  CHECK(name(l.client.state()) == name(connection_state::closed));
  CHECK_FALSE(l.client.failure().has_value());  // a refusal, not a violation
}

// --- 3.1.4: CONNECT actions -----------------------------------------------------------------

TEST_CASE("server closes after refusing a CONNECT with any failure code [MQTT-3.1.4-2]") {
  for (std::uint8_t rc : {0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C,
                          0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F}) {
    INFO("reason ", int{rc});
    link l;
    l.connect(make_connect(v5));
    const connack a = with_code(rc);
    expect_sent(l.server, wire(a, v5), connection_state::closed, [&] { return l.server.connack(a); });
    expect_refused(l.server, errc::closed, [&] { return l.server.pingresp(); });
    expect_refused(l.server, errc::closed, [&] { return l.server.connack({}); });
  }
}

TEST_CASE("server accepts a connection with CONNACK 0x00 [MQTT-3.1.4-5]") {
  link l;
  l.connect(make_connect(v5));
  expect_sent(l.server, hex("20 03 00 00 00"), connection_state::connected,
              [&] { return l.server.connack({}); });
  const packet& got = expect_event(l.client, drain(l.server));
  CHECK(std::get<connack>(got).reason_code == 0x00);
  CHECK(name(l.client.state()) == name(connection_state::connected));
}

TEST_CASE("server processes nothing the client sent after a refused CONNECT [MQTT-3.1.4-6]") {
  link l;
  ok(l.client.connect(make_connect(v5)));
  publish p;
  p.topic = "t";
  p.payload = binary(std::string_view("early"));
  ok(l.client.publish(p));  // allowed before CONNACK [V5-U28]
  const std::vector<std::uint8_t> in = drain(l.client);
  const result<std::size_t> n = l.server.receive(in);
  ok(n);
  REQUIRE(l.server.next_event() != nullptr);  // the CONNECT, alone
  ok(l.server.connack(with_code(0x87)));
  const result<std::size_t> rest = l.server.receive(bytes(in).subspan(*n));
  REQUIRE_FALSE(rest.has_value());
  CHECK(name(rest.error().code) == name(errc::closed));
  CHECK(l.server.next_event() == nullptr);
  const auto auth_bytes = incoming(packet_type::auth, v5);
  const result<std::size_t> again = l.server.receive(auth_bytes);
  REQUIRE_FALSE(again.has_value());
  CHECK(name(again.error().code) == name(errc::closed));
  CHECK(l.server.next_event() == nullptr);
}

// --- 3.2: CONNACK ---------------------------------------------------------------------------

TEST_CASE("server sends nothing but CONNACK or AUTH before its CONNACK [MQTT-3.2.0-1]") {
  link l;
  l.connect(make_connect(v5));
  for (packet_type t : {packet_type::publish, packet_type::puback, packet_type::pubrec, packet_type::pubrel,
                        packet_type::pubcomp, packet_type::suback, packet_type::unsuback,
                        packet_type::pingresp, packet_type::disconnect}) {
    INFO(name(t));
    const packet p = sample(t, v5);
    expect_refused(l.server, errc::wrong_state, [&] { return l.server.send(p); });
  }
  // Only a CONNACK 0x00 lets other packets follow.
  ok(l.server.connack(with_code(0x80)));
  expect_refused(l.server, errc::closed, [&] { return l.server.pingresp(); });
  link m;
  m.connect(make_connect(v5));
  ok(m.server.connack({}));
  expect_sent(m.server, hex("d0 00"), connection_state::connected, [&] { return m.server.pingresp(); });
}

TEST_CASE("client rejects a packet other than CONNACK or AUTH before CONNACK [MQTT-3.2.0-1]") {
  link l;
  l.connect(make_connect(v5));
  const auto in = hex("30 05"      // PUBLISH QoS 0, remaining length 5
                      "00 01 74"   // topic "t"
                      "00"         // properties: none
                      "78");       // payload "x"
  expect_violation(l.client, in, {errc::protocol_error, 0x82, packet_type::publish, "e0 01 82"});
}

TEST_CASE("server refuses to send a second CONNACK [MQTT-3.2.0-2]") {
  link l;
  l.open(v5);
  expect_refused(l.server, errc::wrong_state, [&] { return l.server.connack({}); });
  expect_refused(l.server, errc::wrong_state, [&] { return l.server.connack(with_code(0x80)); });
}

TEST_CASE("client rejects a second CONNACK with DISCONNECT 0x82 [MQTT-3.2.0-2]") {
  link l;
  l.open(v5);
  expect_violation(l.client, hex("20 03 00 00 00"),  // CONNACK: flags 0, reason 0x00, no properties
                   {errc::protocol_error, 0x82, packet_type::connack, "e0 01 82"});
}

TEST_CASE("server refuses Session Present on a Clean Start connection [MQTT-3.2.2-2]") {
  link l;
  l.connect(make_connect(v5));
  connack a;
  a.session_present = true;
  expect_refused(l.server, errc::wrong_state, [&] { return l.server.connack(a); });
  // Without Clean Start the server may have a session.
  link m;
  mqttconn::connect resume = make_connect(v5);
  resume.clean_start = false;
  m.connect(resume);
  expect_sent(m.server, hex("20 03 01 00 00"), connection_state::connected, [&] { return m.server.connack(a); });
}

TEST_CASE("client rejects Session Present on a Clean Start connection [MQTT-3.2.2-2]") {
  link l;
  l.connect(make_connect(v5));
  const auto in = hex("20 03"   // CONNACK, remaining length 3
                      "01"      // flags: Session Present
                      "00"      // reason 0x00
                      "00");    // properties: none
  expect_violation(l.client, in, {errc::protocol_error, 0x82, packet_type::connack, "e0 01 82"});
}

TEST_CASE("server is closed after a CONNACK with a failure code and so is the client that gets it [MQTT-3.2.2-7]") {
  link l;
  l.connect(make_connect(v5));
  expect_sent(l.server, hex("20 03 00 80 00"), connection_state::closed,
              [&] { return l.server.connack(with_code(0x80)); });
  const auto in = drain(l.server);
  const packet& got = expect_event(l.client, in);
  CHECK(std::get<connack>(got).reason_code == 0x80);
  CHECK(name(l.client.state()) == name(connection_state::closed));
  expect_refused(l.client, errc::closed, [&] { return l.client.pingreq(); });
  const result<std::size_t> r = l.server.receive(hex("c0 00"));
  REQUIRE_FALSE(r.has_value());
  CHECK(name(r.error().code) == name(errc::closed));
}

TEST_CASE("server writes the Maximum QoS it supports into CONNACK [MQTT-3.2.2-9]") {
  link l;
  l.connect(make_connect(v5));
  connack a;
  a.props.set_maximum_qos(1);
  expect_sent(l.server,
              hex("20 05"     // CONNACK, remaining length 5
                  "00 00"     // flags 0, reason 0x00
                  "02 24 01"),// properties: Maximum QoS 1
              connection_state::connected, [&] { return l.server.connack(a); });
  const packet& got = expect_event(l.client, drain(l.server));
  CHECK(std::get<connack>(got).props.maximum_qos() == std::optional<std::uint8_t>(1));
}

TEST_CASE("server without QoS 1 and 2 still accepts SUBSCRIBE for QoS 0 1 and 2 [MQTT-3.2.2-10]") {
  link l;
  l.connect(make_connect(v5));
  connack a;
  a.props.set_maximum_qos(0);
  l.connack(a);
  for (std::uint8_t q = 0; q <= 2; ++q) {
    INFO("QoS ", int{q});
    std::vector<std::uint8_t> in = hex("82 08"         // SUBSCRIBE, remaining length 8
                                       "00 07"         // packet id 7
                                       "00"            // properties: none
                                       "00 02 612f");  // filter "a/"
    in.push_back(q);                                   // subscription options: maximum QoS q
    const packet& got = expect_event(l.server, in);
    CHECK(std::holds_alternative<mqttconn::subscribe>(got));
    CHECK(name(l.server.state()) == name(connection_state::connected));
  }
}

TEST_CASE("server can refuse a Will QoS it does not support with CONNACK 0x9B and closes [MQTT-3.2.2-12]") {
  link l;
  mqttconn::connect c = make_connect(v5);
  will_message& w = c.will.emplace();
  w.topic = "w";
  w.payload = binary(std::string_view("bye"));
  w.qos = qos::exactly_once;
  l.connect(c);
  expect_sent(l.server, hex("20 03 00 9b 00"), connection_state::closed,
              [&] { return l.server.connack(with_code(0x9B)); });
}

TEST_CASE("server can refuse a retained Will with CONNACK 0x9A and closes [MQTT-3.2.2-13]") {
  link l;
  mqttconn::connect c = make_connect(v5);
  will_message& w = c.will.emplace();
  w.topic = "w";
  w.payload = binary(std::string_view("bye"));
  w.retain = true;
  l.connect(c);
  expect_sent(l.server, hex("20 03 00 9a 00"), connection_state::closed,
              [&] { return l.server.connack(with_code(0x9A)); });
}

}  // TEST_SUITE
