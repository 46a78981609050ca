// One test per conn-layer statement of the MQTT 5.0 checklist: enhanced authentication
// (CONNECT's Authentication Method, AUTH before CONNACK, re-authentication).
#include "transition_sweep.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

constexpr protocol_version v5 = protocol_version::v5;

mqttconn::connect connect_with_method(std::string_view method = "m") {
  mqttconn::connect c = make_connect(v5);
  c.props.set_authentication_method(method);
  return c;
}

mqttconn::auth make_auth(std::uint8_t rc, std::string_view method = "m") {
  mqttconn::auth a;
  a.reason_code = rc;
  a.props.set_authentication_method(method);
  return a;
}

connack connack_with_method(std::string_view method = "m") {
  connack a;
  a.props.set_authentication_method(method);
  return a;
}

// Client and server after a CONNECT with Authentication Method "m": both connecting.
link authenticating() {
  link l;
  l.connect(connect_with_method());
  return l;
}

// ... and after CONNACK 0x00 with that method: both connected.
link authenticated() {
  link l = authenticating();
  l.connack(connack_with_method());
  return l;
}

// AUTH from one side to the other, taken by the receiver.
void pass_auth(connection& from, connection& to, const mqttconn::auth& a) {
  ok(from.auth(a));
  transfer_one<mqttconn::auth>(from, to, [&](const mqttconn::auth& got) { CHECK(got == a); });
}

// AUTH fixtures: reason code, then the Authentication Method "m" (or "x").
constexpr std::string_view auth_00_m = "f0 06 00 04 15 0001 6d";  // AUTH 0x00, method "m"
constexpr std::string_view auth_18_m = "f0 06 18 04 15 0001 6d";  // AUTH 0x18, method "m"
constexpr std::string_view auth_19_m = "f0 06 19 04 15 0001 6d";  // AUTH 0x19, method "m"
constexpr std::string_view auth_18_x = "f0 06 18 04 15 0001 78";  // AUTH 0x18, method "x"
constexpr std::string_view auth_19_x = "f0 06 19 04 15 0001 78";  // AUTH 0x19, method "x"

}  // namespace

TEST_SUITE("conn v5") {

// --- 3.1.2.11.9: only AUTH or DISCONNECT until CONNACK ------------------------------------

TEST_CASE("client sends only AUTH or DISCONNECT after a CONNECT with an Authentication Method until CONNACK [MQTT-3.1.2-30]") {
  link l = authenticating();
  for (packet_type t : {packet_type::publish, packet_type::puback, packet_type::pubrec, packet_type::pubrel,
                        packet_type::pubcomp, packet_type::subscribe, packet_type::unsubscribe,
                        packet_type::pingreq}) {
    INFO(name(t));
    const packet p = sample(t, v5);
    expect_refused(l.client, errc::wrong_state, [&] { return l.client.send(p); });
  }
  const mqttconn::auth a = make_auth(0x18);
  expect_sent(l.client, hex(auth_18_m), connection_state::connecting, [&] { return l.client.auth(a); });
  ok(l.client.disconnect());
  CHECK(name(l.client.state()) == name(connection_state::closed));
  // After CONNACK the restriction ends.
  link m = authenticated();
  ok(m.client.pingreq());
}

TEST_CASE("server rejects a packet other than AUTH or DISCONNECT before CONNACK after a CONNECT with an Authentication Method [MQTT-3.1.2-30]") {
  for (packet_type t : {packet_type::publish, packet_type::subscribe, packet_type::pingreq}) {
    INFO(name(t));
    link l = authenticating();
    expect_violation(l.server, incoming(t, v5),
                     {errc::protocol_error, 0x82, t, "20 03 00 82 00"});  // CONNACK 0x82
  }
  link l = authenticating();
  expect_event(l.server, hex(auth_18_m));
  const packet& got = expect_event(l.server, hex("e0 00"));  // DISCONNECT, normal
  CHECK(std::holds_alternative<mqttconn::disconnect>(got));
  CHECK(name(l.server.state()) == name(connection_state::closed));
}

// --- 4.12: enhanced authentication ----------------------------------------------------------

TEST_CASE("server can refuse an Authentication Method it does not support with CONNACK 0x8C or 0x87 and closes [MQTT-4.12.0-1]") {
  for (std::uint8_t rc : {0x8C, 0x87}) {
    INFO("reason ", int{rc});
    link l = authenticating();
    connack a;
    a.reason_code = rc;  // a refusal carries no Authentication Method
    expect_sent(l.server, wire(a, v5), connection_state::closed, [&] { return l.server.connack(a); });
    const packet& got = expect_event(l.client, drain(l.server));
    CHECK(std::get<connack>(got).reason_code == rc);
    CHECK(name(l.client.state()) == name(connection_state::closed));
  }
}

TEST_CASE("server continues authentication before CONNACK only with AUTH 0x18 [MQTT-4.12.0-2]") {
  link l = authenticating();
  const mqttconn::auth done = make_auth(0x00), re = make_auth(0x19), more = make_auth(0x18);
  expect_refused(l.server, errc::wrong_state, [&] { return l.server.auth(done); });
  expect_refused(l.server, errc::wrong_state, [&] { return l.server.auth(re); });
  expect_sent(l.server, hex(auth_18_m), connection_state::connecting, [&] { return l.server.auth(more); });
}

TEST_CASE("client rejects an AUTH before CONNACK that is not 0x18 [MQTT-4.12.0-2]") {
  for (std::string_view in : {auth_00_m, auth_19_m}) {
    INFO(in);
    link l = authenticating();
    expect_violation(l.client, hex(in), {errc::protocol_error, 0x82, packet_type::auth, "e0 01 82"});
  }
}

TEST_CASE("client answers the server's AUTH only with AUTH 0x18 [MQTT-4.12.0-3]") {
  link l = authenticating();
  pass_auth(l.server, l.client, make_auth(0x18));
  const mqttconn::auth done = make_auth(0x00), re = make_auth(0x19), more = make_auth(0x18);
  expect_refused(l.client, errc::wrong_state, [&] { return l.client.auth(done); });
  expect_refused(l.client, errc::wrong_state, [&] { return l.client.auth(re); });
  expect_sent(l.client, hex(auth_18_m), connection_state::connecting, [&] { return l.client.auth(more); });
}

TEST_CASE("server rejects a client AUTH before CONNACK that is not 0x18 with CONNACK 0x82 [MQTT-4.12.0-3]") {
  for (std::string_view in : {auth_00_m, auth_19_m}) {
    INFO(in);
    link l = authenticating();
    pass_auth(l.server, l.client, make_auth(0x18));
    expect_violation(l.server, hex(in), {errc::protocol_error, 0x82, packet_type::auth, "20 03 00 82 00"});
  }
}

TEST_CASE("server can turn authentication down at any step with a failure CONNACK and closes [MQTT-4.12.0-4]") {
  link l = authenticating();
  pass_auth(l.server, l.client, make_auth(0x18));
  pass_auth(l.client, l.server, make_auth(0x18));
  connack a;
  a.reason_code = 0x87;
  expect_sent(l.server, hex("20 03 00 87 00"), connection_state::closed, [&] { return l.server.connack(a); });
  const packet& got = expect_event(l.client, drain(l.server));
  CHECK(std::get<connack>(got).reason_code == 0x87);
  CHECK(name(l.client.state()) == name(connection_state::closed));
}

TEST_CASE("both sides refuse to send an AUTH or success CONNACK with another Authentication Method [MQTT-4.12.0-5]") {
  link l = authenticating();
  const mqttconn::auth other = make_auth(0x18, "x");
  expect_refused(l.client, errc::wrong_state, [&] { return l.client.auth(other); });
  expect_refused(l.server, errc::wrong_state, [&] { return l.server.auth(other); });
  const connack wrong = connack_with_method("x");
  const connack missing;
  expect_refused(l.server, errc::wrong_state, [&] { return l.server.connack(wrong); });
  expect_refused(l.server, errc::wrong_state, [&] { return l.server.connack(missing); });
  const connack right = connack_with_method("m");
  expect_sent(l.server,
              hex("20 07"              // CONNACK, remaining length 7
                  "00 00"              // flags 0, reason 0x00
                  "04 15 0001 6d"),    // properties: Authentication Method "m"
              connection_state::connected, [&] { return l.server.connack(right); });
  // Re-authentication keeps the method too.
  link m = authenticated();
  const mqttconn::auth re_other = make_auth(0x19, "x");
  expect_refused(m.client, errc::wrong_state, [&] { return m.client.auth(re_other); });
}

TEST_CASE("server rejects an AUTH with another Authentication Method [MQTT-4.12.0-5]") {
  link l = authenticating();
  expect_violation(l.server, hex(auth_18_x), {errc::protocol_error, 0x82, packet_type::auth, "20 03 00 82 00"});
  link m = authenticated();
  expect_violation(m.server, hex(auth_19_x), {errc::protocol_error, 0x82, packet_type::auth, "e0 01 82"});
}

TEST_CASE("client rejects an AUTH or success CONNACK with another Authentication Method or none [MQTT-4.12.0-5]") {
  SUBCASE("AUTH") {
    link l = authenticating();
    expect_violation(l.client, hex(auth_18_x), {errc::protocol_error, 0x82, packet_type::auth, "e0 01 82"});
  }
  SUBCASE("CONNACK with another method") {
    link l = authenticating();
    expect_violation(l.client,
                     hex("20 07"             // CONNACK, remaining length 7
                         "00 00"             // flags 0, reason 0x00
                         "04 15 0001 78"),   // properties: Authentication Method "x"
                     {errc::protocol_error, 0x82, packet_type::connack, "e0 01 82"});
  }
  SUBCASE("CONNACK without a method") {
    link l = authenticating();
    expect_violation(l.client, hex("20 03 00 00 00"),  // CONNACK 0x00, no properties
                     {errc::protocol_error, 0x82, packet_type::connack, "e0 01 82"});
  }
}

TEST_CASE("server sends no AUTH and no Authentication Method in CONNACK when CONNECT named none [MQTT-4.12.0-6]") {
  link l;
  l.connect(make_connect(v5));
  const mqttconn::auth a = make_auth(0x18);
  expect_refused(l.server, errc::wrong_state, [&] { return l.server.auth(a); });
  const connack with_method = connack_with_method("m");
  expect_refused(l.server, errc::wrong_state, [&] { return l.server.connack(with_method); });
  l.connack();
  const mqttconn::auth end = make_auth(0x00);
  expect_refused(l.server, errc::wrong_state, [&] { return l.server.auth(end); });
}

TEST_CASE("client rejects AUTH or an Authentication Method in CONNACK when its CONNECT named none [MQTT-4.12.0-6]") {
  SUBCASE("AUTH before CONNACK") {
    link l;
    l.connect(make_connect(v5));
    expect_violation(l.client, hex(auth_18_m), {errc::protocol_error, 0x82, packet_type::auth, "e0 01 82"});
  }
  SUBCASE("CONNACK with a method") {
    link l;
    l.connect(make_connect(v5));
    expect_violation(l.client,
                     hex("20 07"             // CONNACK, remaining length 7
                         "00 00"             // flags 0, reason 0x00
                         "04 15 0001 6d"),   // properties: Authentication Method "m"
                     {errc::protocol_error, 0x82, packet_type::connack, "e0 01 82"});
  }
  SUBCASE("AUTH after CONNACK") {
    link l;
    l.open(v5);
    expect_violation(l.client, hex(auth_00_m), {errc::protocol_error, 0x82, packet_type::auth, "e0 01 82"});
  }
}

TEST_CASE("client sends no AUTH when its CONNECT named no Authentication Method [MQTT-4.12.0-7]") {
  link l;
  l.connect(make_connect(v5));
  const mqttconn::auth more = make_auth(0x18), re = make_auth(0x19);
  expect_refused(l.client, errc::wrong_state, [&] { return l.client.auth(more); });
  l.connack();
  expect_refused(l.client, errc::wrong_state, [&] { return l.client.auth(re); });
}

TEST_CASE("server rejects AUTH when the CONNECT named no Authentication Method [MQTT-4.12.0-7] [V5-U27]") {
  link l;
  l.connect(make_connect(v5));
  expect_violation(l.server, hex(auth_18_m), {errc::protocol_error, 0x82, packet_type::auth, "20 03 00 82 00"});
  link m;
  m.open(v5);
  expect_violation(m.server, hex(auth_19_m), {errc::protocol_error, 0x82, packet_type::auth, "e0 01 82"});
}

TEST_CASE("client re-authenticates only with AUTH 0x19 and the method of its CONNECT [MQTT-4.12.1-1]") {
  link l = authenticated();
  const mqttconn::auth done = make_auth(0x00), other = make_auth(0x19, "x"), re = make_auth(0x19);
  expect_refused(l.client, errc::wrong_state, [&] { return l.client.auth(done); });
  expect_refused(l.client, errc::wrong_state, [&] { return l.client.auth(other); });
  expect_sent(l.client, hex(auth_19_m), connection_state::connected, [&] { return l.client.auth(re); });
  const packet& got = expect_event(l.server, drain(l.client));
  CHECK(std::get<mqttconn::auth>(got).reason_code == 0x19);
  CHECK(name(l.server.state()) == name(connection_state::connected));
}

TEST_CASE("server rejects a re-authentication AUTH that is not 0x19 or names another method [MQTT-4.12.1-1]") {
  for (std::string_view in : {auth_00_m, auth_19_x}) {
    INFO(in);
    link l = authenticated();
    expect_violation(l.server, hex(in), {errc::protocol_error, 0x82, packet_type::auth, "e0 01 82"});
  }
}

TEST_CASE("a failed re-authentication ends with DISCONNECT and both sides closed [MQTT-4.12.1-2]") {
  link l = authenticated();
  pass_auth(l.client, l.server, make_auth(0x19));
  pass_auth(l.server, l.client, make_auth(0x18));
  mqttconn::disconnect d;
  d.reason_code = 0x87;  // not authorized
  expect_sent(l.server, hex("e0 01 87"), connection_state::closed, [&] { return l.server.disconnect(d); });
  const packet& got = expect_event(l.client, drain(l.server));
  CHECK(std::get<mqttconn::disconnect>(got).reason_code == 0x87);
  CHECK(name(l.client.state()) == name(connection_state::closed));
  CHECK_FALSE(l.client.failure().has_value());
}

TEST_CASE("either side rejects an AUTH whose method differs from the CONNECT's after CONNACK [V5-U27]") {
  link l = authenticated();
  expect_violation(l.server, hex(auth_18_x), {errc::protocol_error, 0x82, packet_type::auth, "e0 01 82"});
  link m = authenticated();
  expect_violation(m.client, hex(auth_18_x), {errc::protocol_error, 0x82, packet_type::auth, "e0 01 82"});
}

// --- 3.1.2.11.7 on AUTH: Request Problem Information 0 ---------------------------------------

TEST_CASE("server puts no Reason String on AUTH after the client declined problem information [MQTT-3.1.2-29]") {
  link l;
  mqttconn::connect c = connect_with_method();
  c.props.set_request_problem_information(false);
  l.connect(c);
  mqttconn::auth a = make_auth(0x18);
  a.props.set_reason_string("more");
  expect_refused(l.server, errc::wrong_state, [&] { return l.server.auth(a); });
}

TEST_CASE("client rejects a Reason String on AUTH after declining problem information [MQTT-3.1.2-29]") {
  const auto in = hex("f0 0a"           // AUTH, remaining length 10
                      "18"              // reason 0x18, continue authentication
                      "08"              // properties: 8 bytes
                      "15 0001 6d"      //   Authentication Method "m"
                      "1f 0001 72");    //   Reason String "r"
  mqttconn::connect c = connect_with_method();
  c.props.set_request_problem_information(false);
  SUBCASE("before CONNACK") {
    link l;
    l.connect(c);
    expect_violation(l.client, in, {errc::protocol_error, 0x82, packet_type::auth, "e0 01 82"});
  }
  SUBCASE("during re-authentication") {
    link l;
    l.connect(c);
    l.connack(connack_with_method());
    pass_auth(l.client, l.server, make_auth(0x19));
    expect_violation(l.client, in, {errc::protocol_error, 0x82, packet_type::auth, "e0 01 82"});
  }
}

}  // TEST_SUITE
