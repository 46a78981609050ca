// One test per conn-layer statement of the MQTT 5.0 checklist: what CONNECT and CONNACK
// settle for the rest of the connection (requested information, Maximum QoS, Retain and
// subscription features, Subscription Identifiers), the direction of each packet, and packets
// sent before CONNACK.
#include "transition_sweep.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

constexpr protocol_version v5 = protocol_version::v5;

// Connected after a CONNECT with `c`'s properties and a CONNACK `a`.
link opened(const mqttconn::connect& c, const connack& a) {
  link l;
  l.connect(c);
  l.connack(a);
  return l;
}

mqttconn::connect declining_problem_information() {
  mqttconn::connect c = make_connect(v5);
  c.props.set_request_problem_information(false);
  return c;
}

constexpr user_property a_user_property[] = {{"k", "v"}};

}  // namespace

TEST_SUITE("conn v5") {

// --- 3.1.2.11: requested information ----------------------------------------------------------

TEST_CASE("server refuses Response Information the client did not request [MQTT-3.1.2-28]") {
  connack a;
  a.props.set_response_information("reply/here");
  SUBCASE("not asked") {
    link l;
    l.connect(make_connect(v5));
    expect_refused(l.server, errc::wrong_state, [&] { return l.server.connack(a); });
  }
  SUBCASE("asked for none") {
    mqttconn::connect c = make_connect(v5);
    c.props.set_request_response_information(false);
    link l;
    l.connect(c);
    expect_refused(l.server, errc::wrong_state, [&] { return l.server.connack(a); });
  }
  SUBCASE("asked for it") {
    mqttconn::connect c = make_connect(v5);
    c.props.set_request_response_information(true);
    link l;
    l.connect(c);
    expect_sent(l.server, wire(a, v5), connection_state::connected, [&] { return l.server.connack(a); });
  }
}

TEST_CASE("client takes unrequested Response Information as a normal CONNACK [MQTT-3.1.2-28]") {
  link l;
  l.connect(make_connect(v5));
  const auto in = hex("20 09"                // CONNACK, remaining length 9
                      "00 00"                // flags 0, reason 0x00
                      "06 1a 0003 612f62");  // properties: Response Information "a/b"
  const packet& got = expect_event(l.client, in);
  CHECK(std::get<connack>(got).props.response_information() == std::optional<std::string_view>("a/b"));
  CHECK(name(l.client.state()) == name(connection_state::connected));
  CHECK(l.client.output_size() == 0);
}

TEST_CASE("server puts Reason String and User Property only on PUBLISH CONNACK and DISCONNECT after the client declined problem information [MQTT-3.1.2-29]") {
  link l;
  l.connect(declining_problem_information());
  connack a;
  a.props.set_reason_string("welcome");
  expect_sent(l.server, wire(a, v5), connection_state::connected, [&] { return l.server.connack(a); });
  for (packet_type t : {packet_type::puback, packet_type::pubrec, packet_type::pubrel, packet_type::pubcomp,
                        packet_type::suback, packet_type::unsuback}) {
    INFO(name(t));
    packet with_reason = sample(t, v5), with_user = sample(t, v5);
    std::visit([](auto& p) { if constexpr (requires { p.props; }) p.props.set_reason_string("why"); }, with_reason);
    std::visit([](auto& p) { if constexpr (requires { p.props; }) p.props.set_user_properties(a_user_property); },
               with_user);
    expect_refused(l.server, errc::wrong_state, [&] { return l.server.send(with_reason); });
    expect_refused(l.server, errc::wrong_state, [&] { return l.server.send(with_user); });
  }
  publish p = std::get<publish>(sample(packet_type::publish, v5));
  p.props.set_user_properties(a_user_property);
  expect_sent(l.server, wire(p, v5), connection_state::connected, [&] { return l.server.publish(p); });
  mqttconn::disconnect d;
  d.props.set_reason_string("bye");
  expect_sent(l.server, wire(d, v5), connection_state::closed, [&] { return l.server.disconnect(d); });
}

TEST_CASE("client rejects a Reason String on PUBACK after declining problem information [MQTT-3.1.2-29]") {
  link l = opened(declining_problem_information(), {});
  // PUBLISH and DISCONNECT may carry it.
  const auto publish_with_user = hex("30 0c"                  // PUBLISH QoS 0, remaining length 12
                                     "0001 74"                // topic "t"
                                     "07 26 0001 6b 0001 76"  // properties: User Property k=v
                                     "78");                   // payload "x"
  const packet& pub = expect_event(l.client, publish_with_user);
  CHECK(std::get<publish>(pub).props.has(property_id::user_property));
  const auto puback_with_reason = hex("40 08"        // PUBACK, remaining length 8
                                      "0001"         // packet id 1
                                      "00"           // reason 0x00
                                      "04 1f 0001 72");  // properties: Reason String "r"
  expect_violation(l.client, puback_with_reason, {errc::protocol_error, 0x82, packet_type::puback, "e0 01 82"});

  link m = opened(declining_problem_information(), {});
  const auto disconnect_with_reason = hex("e0 06"            // DISCONNECT, remaining length 6
                                          "00"               // reason 0x00
                                          "04 1f 0001 72");  // properties: Reason String "r"
  const packet& bye = expect_event(m.client, disconnect_with_reason);
  CHECK(std::get<mqttconn::disconnect>(bye).props.reason_string() == std::optional<std::string_view>("r"));
  CHECK(name(m.client.state()) == name(connection_state::closed));
}

// --- 3.2.2.3: what CONNACK allows ------------------------------------------------------------

TEST_CASE("client never publishes above the Maximum QoS of CONNACK [MQTT-3.2.2-11]") {
  connack a;
  a.props.set_maximum_qos(1);
  link l = opened(make_connect(v5), a);
  publish p = std::get<publish>(sample(packet_type::publish, v5));
  p.qos = qos::exactly_once;
  expect_refused(l.client, errc::wrong_state, [&] { return l.client.publish(p); });
  p.qos = qos::at_least_once;
  expect_sent(l.client, wire(p, v5), connection_state::connected, [&] { return l.client.publish(p); });
}

TEST_CASE("server rejects a PUBLISH above its Maximum QoS with DISCONNECT 0x9B [MQTT-3.2.2-11]") {
  connack a;
  a.props.set_maximum_qos(0);
  link l = opened(make_connect(v5), a);
  const auto in = hex("32 07"     // PUBLISH QoS 1, remaining length 7
                      "0001 74"   // topic "t"
                      "0001"      // packet id 1
                      "00"        // properties: none
                      "78");      // payload "x"
  expect_violation(l.server, in, {errc::protocol_error, 0x9B, packet_type::publish, "e0 01 9b"});
}

TEST_CASE("client never sets RETAIN after Retain Available 0 [MQTT-3.2.2-14]") {
  connack a;
  a.props.set_retain_available(false);
  link l = opened(make_connect(v5), a);
  publish p = std::get<publish>(sample(packet_type::publish, v5));
  p.retain = true;
  expect_refused(l.client, errc::wrong_state, [&] { return l.client.publish(p); });
  p.retain = false;
  expect_sent(l.client, wire(p, v5), connection_state::connected, [&] { return l.client.publish(p); });
}

TEST_CASE("server rejects a retained PUBLISH after Retain Available 0 with DISCONNECT 0x9A [MQTT-3.2.2-14]") {
  connack a;
  a.props.set_retain_available(false);
  link l = opened(make_connect(v5), a);
  const auto in = hex("31 05"     // PUBLISH QoS 0 RETAIN, remaining length 5
                      "0001 74"   // topic "t"
                      "00"        // properties: none
                      "78");      // payload "x"
  expect_violation(l.server, in, {errc::protocol_error, 0x9A, packet_type::publish, "e0 01 9a"});
}

// --- 3.3.4: Subscription Identifier -----------------------------------------------------------

TEST_CASE("client never sends a Subscription Identifier in PUBLISH [MQTT-3.3.4-6]") {
  static constexpr std::uint32_t ids[] = {1};
  publish p = std::get<publish>(sample(packet_type::publish, v5));
  p.props.set_subscription_identifiers(ids);
  link l;
  l.connect(make_connect(v5));
  expect_refused(l.client, errc::wrong_state, [&] { return l.client.publish(p); });
  l.connack();
  expect_refused(l.client, errc::wrong_state, [&] { return l.client.publish(p); });
  // The server may.
  expect_sent(l.server, wire(p, v5), connection_state::connected, [&] { return l.server.publish(p); });
}

TEST_CASE("server rejects a PUBLISH with a Subscription Identifier from the client [MQTT-3.3.4-6]") {
  const auto in = hex("30 07"     // PUBLISH QoS 0, remaining length 7
                      "0001 74"   // topic "t"
                      "02 0b 01"  // properties: Subscription Identifier 1
                      "78");      // payload "x"
  link l;
  l.open(v5);
  expect_violation(l.server, in, {errc::protocol_error, 0x82, packet_type::publish, "e0 01 82"});
  link m;
  m.connect(make_connect(v5));  // before CONNACK: refused with CONNACK 0x82
  expect_violation(m.server, in, {errc::protocol_error, 0x82, packet_type::publish, "20 03 00 82 00"});
}

// --- Rules without an id ----------------------------------------------------------------------

TEST_CASE("neither side sends a packet of the other direction [V5-U05]") {
  link l;
  l.open(v5);
  for (packet_type t : {packet_type::connack, packet_type::suback, packet_type::unsuback, packet_type::pingresp}) {
    INFO("client sends ", name(t));
    const packet p = sample(t, v5);
    expect_refused(l.client, errc::wrong_state, [&] { return l.client.send(p); });
  }
  for (packet_type t : {packet_type::connect, packet_type::subscribe, packet_type::unsubscribe,
                        packet_type::pingreq}) {
    INFO("server sends ", name(t));
    const packet p = sample(t, v5);
    expect_refused(l.server, errc::wrong_state, [&] { return l.server.send(p); });
  }
}

TEST_CASE("server rejects CONNACK SUBACK UNSUBACK and PINGRESP with DISCONNECT 0x82 [V5-U05]") {
  for (packet_type t : {packet_type::connack, packet_type::suback, packet_type::unsuback, packet_type::pingresp}) {
    INFO(name(t));
    link l;
    l.open(v5);
    expect_violation(l.server, incoming(t, v5), {errc::protocol_error, 0x82, t, "e0 01 82"});
  }
}

TEST_CASE("client rejects CONNECT SUBSCRIBE UNSUBSCRIBE and PINGREQ with DISCONNECT 0x82 [V5-U05]") {
  for (packet_type t : {packet_type::connect, packet_type::subscribe, packet_type::unsubscribe,
                        packet_type::pingreq}) {
    INFO(name(t));
    link l;
    l.open(v5);
    const auto in = t == packet_type::connect ? wire(make_connect(v5), v5) : incoming(t, v5);
    expect_violation(l.client, in, {errc::protocol_error, 0x82, t, "e0 01 82"});
  }
}

TEST_CASE("client can disconnect with 0x9B after a PUBLISH above the QoS it handles [V5-U22]") {
  // The connection cannot know what QoS the client handles; the caller, having seen the
  // PUBLISH, disconnects with QoS not supported.
  link l;
  l.open(v5);
  const auto in = hex("34 07"     // PUBLISH QoS 2, remaining length 7
                      "0001 74"   // topic "t"
                      "0001"      // packet id 1
                      "00"        // properties: none
                      "78");      // payload "x"
  expect_event(l.client, in);
  mqttconn::disconnect d;
  d.reason_code = 0x9B;
  expect_sent(l.client, hex("e0 01 9b"), connection_state::closed, [&] { return l.client.disconnect(d); });
}

TEST_CASE("server rejects a wildcard SUBSCRIBE after Wildcard Subscription Available 0 with DISCONNECT 0xA2 [V5-U23]") {
  const auto in = hex("82 09"        // SUBSCRIBE, remaining length 9
                      "0001"         // packet id 1
                      "00"           // properties: none
                      "0003 612f2b"  // filter "a/+"
                      "00");         // options: maximum QoS 0
  connack a;
  a.props.set_wildcard_subscription_available(false);
  link l = opened(make_connect(v5), a);
  expect_violation(l.server, in, {errc::protocol_error, 0xA2, packet_type::subscribe, "e0 01 a2"});
  // A server that has wildcards may still refuse the one filter in SUBACK.
  link m;
  m.open(v5);
  expect_event(m.server, in);
  static constexpr std::uint8_t refused[] = {0xA2};
  suback sa;
  sa.packet_id = 1;
  sa.reason_codes = binary(refused, 1);
  expect_sent(m.server, wire(sa, v5), connection_state::connected, [&] { return m.server.suback(sa); });
}

TEST_CASE("server rejects a SUBSCRIBE with a Subscription Identifier after Subscription Identifier Available 0 with DISCONNECT 0xA1 [V5-U24]") {
  const auto in = hex("82 09"     // SUBSCRIBE, remaining length 9
                      "0001"      // packet id 1
                      "02 0b 01"  // properties: Subscription Identifier 1
                      "0001 61"   // filter "a"
                      "00");      // options: maximum QoS 0
  connack a;
  a.props.set_subscription_identifier_available(false);
  link l = opened(make_connect(v5), a);
  expect_violation(l.server, in, {errc::protocol_error, 0xA1, packet_type::subscribe, "e0 01 a1"});
  link m;
  m.open(v5);
  expect_event(m.server, in);
}

TEST_CASE("server rejects a shared SUBSCRIBE after Shared Subscription Available 0 with DISCONNECT 0x9E [V5-U25]") {
  const auto in = hex("82 10"                        // SUBSCRIBE, remaining length 16
                      "0001"                         // packet id 1
                      "00"                           // properties: none
                      "000a 2473686172652f672f74"    // filter "$share/g/t"
                      "00");                         // options: maximum QoS 0
  connack a;
  a.props.set_shared_subscription_available(false);
  link l = opened(make_connect(v5), a);
  expect_violation(l.server, in, {errc::protocol_error, 0x9E, packet_type::subscribe, "e0 01 9e"});
  link m;
  m.open(v5);
  expect_event(m.server, in);
}

TEST_CASE("server takes the packets a client sends between CONNECT and CONNACK [V5-U28]") {
  link l;
  ok(l.client.connect(make_connect(v5)));
  const publish p = std::get<publish>(sample(packet_type::publish, v5));
  const mqttconn::subscribe s = std::get<mqttconn::subscribe>(sample(packet_type::subscribe, v5));
  expect_sent(l.client, wire(p, v5), connection_state::connecting, [&] { return l.client.publish(p); });
  expect_sent(l.client, wire(s, v5), connection_state::connecting, [&] { return l.client.subscribe(s); });
  expect_sent(l.client, hex("c0 00"), connection_state::connecting, [&] { return l.client.pingreq(); });
  const std::vector<std::uint8_t> in = drain(l.client);
  std::vector<packet_type> kinds;
  const delivery d = feed(l.server, in, in.size(), [&](const packet& got) { kinds.push_back(type_of(got)); });
  CHECK_FALSE(d.failure.has_value());
  REQUIRE(kinds.size() == 4);
  CHECK(name(kinds[0]) == name(packet_type::connect));
  CHECK(name(kinds[1]) == name(packet_type::publish));
  CHECK(name(kinds[2]) == name(packet_type::subscribe));
  CHECK(name(kinds[3]) == name(packet_type::pingreq));
  CHECK(name(l.server.state()) == name(connection_state::connecting));
  CHECK(l.server.output_size() == 0);
  // The caller decides what to do with them once it has answered the CONNECT.
  expect_sent(l.server, hex("20 03 00 00 00"), connection_state::connected, [&] { return l.server.connack({}); });
}

}  // TEST_SUITE
