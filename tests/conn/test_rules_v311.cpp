// One test per conn-layer statement of the MQTT 3.1.1 checklist
// (../shared/spec/conformance-v311.md): CONNECT and CONNACK (DISCONNECT, errors and packet
// direction are in test_rules_v311_closing.cpp). Run at level 4 and, as the checklist applies
// the 3.1.1 rules to 3.1, at level 3. 3.x has no reason codes and no server DISCONNECT: a
// violation closes without sending anything, except that a server still answering CONNECT
// sends the CONNACK return code when one fits (0x01, 0x02). The error still carries the 5.0
// reason code.
#include "transition_sweep.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

connack with_code(std::uint8_t rc) {
  connack a;
  a.reason_code = rc;
  return a;
}

}  // namespace

TEST_SUITE("conn v311") {

// --- 3.1.0: CONNECT first, and only once ----------------------------------------------------

TEST_CASE("client refuses to send any packet before CONNECT [MQTT-3.1.0-1 v3.1.1]") {
  for (protocol_version v : levels_3x) {
    INFO("level ", name(v));
    connection client = make_client();
    for (packet_type t : all_kinds) {
      if (t == packet_type::connect) continue;
      INFO(name(t));
      const packet p = sample(t, v);
      expect_refused(client, errc::wrong_state, [&] { return client.send(p); });
    }
    const mqttconn::connect c = make_connect(v);
    expect_sent(client, wire(c, v), connection_state::connecting, [&] { return client.connect(c); });
    CHECK(name(client.version()) == name(v));
  }
}

TEST_CASE("server closes without a reply when the first packet is not CONNECT [MQTT-3.1.0-1 v3.1.1]") {
  // Before a CONNECT the server cannot know the level and reads 5.0: a 3.x packet that is
  // also a 5.0 packet is a protocol error, one that is not is malformed. Either way: close,
  // nothing sent.
  struct first_packet {
    std::string_view bytes;
    packet_type type;
    errc code;
    std::uint8_t reason;
  };
  for (const first_packet& f : {
           first_packet{"c0 00", packet_type::pingreq, errc::protocol_error, 0x82},         // PINGREQ
           first_packet{"40 02 0001", packet_type::puback, errc::protocol_error, 0x82},     // PUBACK id 1
           first_packet{"e0 00", packet_type::disconnect, errc::protocol_error, 0x82},      // DISCONNECT
           first_packet{"30 04 0001 74 78", packet_type::publish, errc::malformed_packet,   // PUBLISH "t" "x":
                        0x81},                                                              // 0x78 read as 5.0 property length
       }) {
    INFO(f.bytes);
    connection server = make_server();
    expect_violation(server, hex(f.bytes), {f.code, f.reason, f.type, ""});
  }
}

TEST_CASE("client refuses to send a second CONNECT [MQTT-3.1.0-2 v3.1.1]") {
  for (protocol_version v : levels_3x) {
    INFO("level ", name(v));
    link l;
    const mqttconn::connect c = make_connect(v);
    l.connect(c);
    expect_refused(l.client, errc::wrong_state, [&] { return l.client.connect(c); });
    l.connack();
    expect_refused(l.client, errc::wrong_state, [&] { return l.client.connect(c); });
  }
}

TEST_CASE("server closes without a reply on a second CONNECT [MQTT-3.1.0-2 v3.1.1]") {
  for (protocol_version v : levels_3x) {
    INFO("level ", name(v));
    const std::vector<std::uint8_t> again = wire(make_connect(v, "c2"), v);
    link l;
    l.connect(make_connect(v));  // before CONNACK: 3.x has no return code for it
    expect_violation(l.server, again, {errc::protocol_error, 0x82, packet_type::connect, ""});
    link m;
    m.open(v);
    expect_violation(m.server, again, {errc::protocol_error, 0x82, packet_type::connect, ""});
  }
}

// --- 3.1.2: protocol level ------------------------------------------------------------------

TEST_CASE("server answers a protocol level it does not support with CONNACK 0x01 and closes [MQTT-3.1.2-2 v3.1.1]") {
  const std::vector<std::uint8_t> fixtures[] = {
      hex("10 0e"                // CONNECT, remaining length 14
          "00 04 4d515454"       // protocol name "MQTT"
          "03"                   // protocol level 3: goes with "MQIsdp" only [V31-D01]
          "02"                   // connect flags: clean session
          "00 3c"                // keep alive 60 s
          "00 02 6331"),         // client id "c1"
      hex("10 10"                // CONNECT, remaining length 16
          "00 06 4d5149736470"   // protocol name "MQIsdp"
          "04"                   // protocol level 4: goes with "MQTT" only [V311-U07]
          "02"                   // connect flags: clean session
          "00 3c"                // keep alive 60 s
          "00 02 6331"),         // client id "c1"
      hex("10 0e"                // CONNECT, remaining length 14
          "00 04 4d515454"       // protocol name "MQTT"
          "06"                   // protocol level 6: unknown
          "02"                   // connect flags: clean session
          "00 3c"                // keep alive 60 s
          "00 02 6331"),         // client id "c1"
  };
  for (const std::vector<std::uint8_t>& in : fixtures) {
    INFO(to_hex(in));
    connection server = make_server();
    expect_violation(server, in,
                     {errc::unsupported_protocol_version, 0x84, packet_type::connect,
                      "20 02 00 01"});  // CONNACK: flags 0, return code 1 (unacceptable protocol level)
  }
}

// --- 3.1.3: client identifier ---------------------------------------------------------------

TEST_CASE("server accepts any client identifier of 1 to 23 letters and digits [MQTT-3.1.3-5 v3.1.1]") {
  for (protocol_version v : levels_3x) {
    for (std::string_view id : {std::string_view("a"), std::string_view("0123456789abcdefghijXYZ")}) {
      INFO("level ", name(v), ", client id ", id);
      link l;
      ok(l.client.connect(make_connect(v, id)));
      const std::vector<std::uint8_t> in = drain(l.client);
      const packet& got = expect_event(l.server, in);
      CHECK(std::get<mqttconn::connect>(got).client_id == id);
      CHECK(name(l.server.state()) == name(connection_state::connecting));
      CHECK(l.server.output_size() == 0);
      expect_sent(l.server, hex("20 02 00 00"), connection_state::connected, [&] { return l.server.connack({}); });
    }
  }
}

TEST_CASE("server answers an empty client identifier without Clean Session with CONNACK 0x02 and closes [MQTT-3.1.3-8 v3.1.1]") {
  connection server = make_server();
  const auto in = hex("10 0c"           // CONNECT, remaining length 12
                      "00 04 4d515454"  // protocol name "MQTT"
                      "04"              // protocol level 4
                      "00"              // connect flags: no clean session
                      "00 3c"           // keep alive 60 s
                      "00 00");         // client id "" (empty)
  expect_violation(server, in,
                   {errc::protocol_error, 0x85, packet_type::connect,
                    "20 02 00 02"});  // CONNACK: flags 0, return code 2 (identifier rejected)
  // With Clean Session an empty identifier is the server's to accept.
  connection other = make_server();
  expect_event(other, wire(make_connect(protocol_version::v3_1_1, ""), protocol_version::v3_1_1));
  CHECK(name(other.state()) == name(connection_state::connecting));
}

TEST_CASE("server can reject a client identifier with CONNACK 0x02 and closes [MQTT-3.1.3-9 v3.1.1]") {
  for (protocol_version v : levels_3x) {
    INFO("level ", name(v));
    link l;
    l.connect(make_connect(v, "not-wanted"));
    expect_sent(l.server, hex("20 02 00 02"), connection_state::closed,
                [&] { return l.server.connack(with_code(0x02)); });
    const std::vector<std::uint8_t> in = drain(l.server);
    const packet& got = expect_event(l.client, in);
    CHECK(std::get<connack>(got).reason_code == 0x02);
    CHECK(name(l.client.state()) == name(connection_state::closed));
  }
}

TEST_CASE("server at level 3 rejects an empty or longer than 23 character client identifier with CONNACK 0x02 [MQTT-3.1.3-9 v3.1.1] [V31-D02]") {
  for (std::string_view id : {std::string_view(""), std::string_view("0123456789abcdefghijklmn")}) {
    INFO("client id '", id, "'");
    connection server = make_server();
    expect_violation(server, wire(make_connect(protocol_version::v3_1, id), protocol_version::v3_1),
                     {errc::protocol_error, 0x85, packet_type::connect, "20 02 00 02"});
  }
}

// --- 3.1.4: CONNECT actions -----------------------------------------------------------------

TEST_CASE("server accepts a connection with return code 0 [MQTT-3.1.4-4 v3.1.1]") {
  for (protocol_version v : levels_3x) {
    INFO("level ", name(v));
    link l;
    l.connect(make_connect(v));
    expect_sent(l.server, hex("20 02 00 00"), connection_state::connected, [&] { return l.server.connack({}); });
    const std::vector<std::uint8_t> in = drain(l.server);
    expect_event(l.client, in);
    CHECK(name(l.client.state()) == name(connection_state::connected));
  }
}

TEST_CASE("server processes nothing the client sent after a refused CONNECT [MQTT-3.1.4-5 v3.1.1]") {
  for (protocol_version v : levels_3x) {
    INFO("level ", name(v));
    link l;
    ok(l.client.connect(make_connect(v)));
    ok(l.client.send(sample(packet_type::publish, v)));  // sent before CONNACK [V311-U10]
    const std::vector<std::uint8_t> in = drain(l.client);
    const result<std::size_t> n = l.server.receive(in);
    ok(n);
    REQUIRE(l.server.next_event() != nullptr);  // the CONNECT alone
    ok(l.server.connack(with_code(0x05)));      // not authorized
    const result<std::size_t> rest = l.server.receive(bytes(in).subspan(*n));
    REQUIRE_FALSE(rest.has_value());
    CHECK(name(rest.error().code) == name(errc::closed));
    CHECK(l.server.next_event() == nullptr);
  }
}

// --- 3.2: CONNACK ---------------------------------------------------------------------------

TEST_CASE("server sends CONNACK before any other packet [MQTT-3.2.0-1 v3.1.1]") {
  for (protocol_version v : levels_3x) {
    INFO("level ", name(v));
    link l;
    l.connect(make_connect(v));
    for (packet_type t : {packet_type::publish, packet_type::puback, packet_type::pubrec, packet_type::pubrel,
                          packet_type::pubcomp, packet_type::suback, packet_type::unsuback, packet_type::pingresp}) {
      INFO(name(t));
      const packet p = sample(t, v);
      expect_refused(l.server, errc::wrong_state, [&] { return l.server.send(p); });
    }
    expect_sent(l.server, hex("20 02 00 00"), connection_state::connected, [&] { return l.server.connack({}); });
  }
}

TEST_CASE("client closes without a reply on a packet before CONNACK [MQTT-3.2.0-1 v3.1.1]") {
  for (protocol_version v : levels_3x) {
    INFO("level ", name(v));
    link l;
    l.connect(make_connect(v));
    const auto in = hex("30 04"     // PUBLISH QoS 0, remaining length 4
                        "0001 74"   // topic "t"
                        "78");      // payload "x"
    expect_violation(l.client, in, {errc::protocol_error, 0x82, packet_type::publish, ""});
  }
}

TEST_CASE("server refuses Session Present on a Clean Session connection [MQTT-3.2.2-1 v3.1.1]") {
  constexpr protocol_version v = protocol_version::v3_1_1;  // level 3 has no Session Present [V31-D03]
  connack a;
  a.session_present = true;
  link l;
  l.connect(make_connect(v));
  expect_refused(l.server, errc::wrong_state, [&] { return l.server.connack(a); });
  mqttconn::connect resume = make_connect(v);
  resume.clean_start = false;
  link m;
  m.connect(resume);
  expect_sent(m.server, hex("20 02 01 00"), connection_state::connected, [&] { return m.server.connack(a); });
}

TEST_CASE("client closes without a reply on Session Present for a Clean Session connection [MQTT-3.2.2-1 v3.1.1]") {
  link l;
  l.connect(make_connect(protocol_version::v3_1_1));
  const auto in = hex("20 02"   // CONNACK, remaining length 2
                      "01"      // flags: Session Present
                      "00");    // return code 0
  expect_violation(l.client, in, {errc::protocol_error, 0x82, packet_type::connack, ""});
}

TEST_CASE("server is closed after a CONNACK with a non-zero return code and so is the client that gets it [MQTT-3.2.2-5 v3.1.1]") {
  for (protocol_version v : levels_3x) {
    for (std::uint8_t rc = 1; rc <= 5; ++rc) {
      INFO("level ", name(v), ", return code ", int{rc});
      link l;
      l.connect(make_connect(v));
      const connack a = with_code(rc);
      expect_sent(l.server, wire(a, v), connection_state::closed, [&] { return l.server.connack(a); });
      expect_refused(l.server, errc::closed, [&] { return l.server.pingresp(); });
      const std::vector<std::uint8_t> in = drain(l.server);
      expect_event(l.client, in);
      CHECK(name(l.client.state()) == name(connection_state::closed));
      CHECK_FALSE(l.client.failure().has_value());
    }
  }
}

TEST_CASE("server closes without CONNACK when no return code fits [MQTT-3.2.2-6 v3.1.1]") {
  SUBCASE("a malformed CONNECT") {
    connection server = make_server();
    const auto in = hex("10 0e"           // CONNECT, remaining length 14
                        "00 04 4d515454"  // protocol name "MQTT"
                        "04"              // protocol level 4
                        "03"              // connect flags: clean session + reserved bit (bad)
                        "00 3c"           // keep alive 60 s
                        "00 02 6331");    // client id "c1"
    expect_violation(server, in, {errc::malformed_packet, 0x81, packet_type::connect, ""});
  }
  SUBCASE("a malformed packet before CONNACK, or a CONNACK code that does not exist") {
    for (protocol_version v : levels_3x) {
      INFO("level ", name(v));
      link l;
      l.connect(make_connect(v));
      expect_violation(l.server, hex("36 04 0001 74 78"),  // PUBLISH with QoS 3 before CONNACK
                       {errc::malformed_packet, 0x81, packet_type::publish, ""});
      link m;
      m.connect(make_connect(v));
      const connack undefined = with_code(0x06);  // not in Table 3.1
      expect_refused(m.server, errc::invalid_packet, [&] { return m.server.connack(undefined); });
    }
  }
}

// --- Rules without an id ----------------------------------------------------------------------

TEST_CASE("server takes the packets a client sends between CONNECT and CONNACK [V311-U10]") {
  for (protocol_version v : levels_3x) {
    INFO("level ", name(v));
    link l;
    ok(l.client.connect(make_connect(v)));
    for (packet_type t : {packet_type::publish, packet_type::subscribe, packet_type::unsubscribe,
                          packet_type::pingreq}) {
      const packet p = sample(t, v);
      expect_sent(l.client, wire(p, v), connection_state::connecting, [&] { return l.client.send(p); });
    }
    const std::vector<std::uint8_t> in = drain(l.client);
    std::vector<packet_type> kinds;
    const delivery d = feed(l.server, in, in.size(), [&](const packet& got) { kinds.push_back(type_of(got)); });
    CHECK_FALSE(d.failure.has_value());
    REQUIRE(kinds.size() == 5);
    CHECK(name(kinds[0]) == name(packet_type::connect));
    CHECK(name(kinds[1]) == name(packet_type::publish));
    CHECK(name(kinds[2]) == name(packet_type::subscribe));
    CHECK(name(kinds[3]) == name(packet_type::unsubscribe));
    CHECK(name(kinds[4]) == name(packet_type::pingreq));
    CHECK(name(l.server.state()) == name(connection_state::connecting));
    CHECK(l.server.output_size() == 0);
    expect_sent(l.server, hex("20 02 00 00"), connection_state::connected, [&] { return l.server.connack({}); });
  }
}

}  // TEST_SUITE
