// A 5.0 client and server back to back: every packet kind in every legal direction with every
// field and property filled, checked field by field at the far end, then replayed with the
// bytes cut at every point. The connection layer does not track packet identifiers (the
// session does), so the acknowledgements below only need to be well-formed.
#include "conversation.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

using pv = protocol_version;

constexpr std::string_view method = "SCRAM-SHA-256";

const user_property users[] = {{"region", "eu-west"}, {"trace", "a1"}, {"r\xC3\xA9gion", "\xE2\x82\xAC"}, {"trace", "a1"}};
const std::uint8_t auth_data[4][8] = {{'n', ',', ',', 'n', '=', 'a', 'l', 'i'},
                                      {'r', '=', 'f', 'y', 'k', 'o', '+', 'd'},
                                      {'c', '=', 'b', 'i', 'w', 's', ',', 'r'},
                                      {'v', '=', 'r', 'm', 'F', '9', 'p', 'q'}};
const std::uint8_t correlation[] = {0x00, 0xFF, 0x10, 0x80, 0x7F};
const std::uint8_t password[] = {'s', 'e', 'c', 'r', 'e', 't', 0x00, 0xFE};
const std::uint32_t sub_ids[] = {1, 268435455};

binary auth_bytes(int i) { return binary(auth_data[i], sizeof auth_data[i]); }

// Reason String and User Properties: every packet with properties takes them.
properties common(std::string_view why) {
  properties p;
  p.set_reason_string(why).set_user_properties(users);
  return p;
}

auth auth_packet(std::uint8_t code, int data) {
  auth a;
  a.reason_code = code;
  a.props = common("auth step");
  a.props.set_authentication_method(method).set_authentication_data(auth_bytes(data));
  return a;
}

connect full_connect() {
  connect c;
  c.version = pv::v5;
  c.bridge = true;
  c.clean_start = false;
  c.keep_alive = 600;
  c.client_id = "conv-client-\xC3\xA9";
  will_message& w = c.will.emplace();
  w.topic = "clients/conv/status";
  w.payload = binary(std::string_view("offline"));
  w.qos = qos::exactly_once;
  w.retain = true;
  w.props.set_payload_format_indicator(true).set_message_expiry_interval(86400);
  w.props.set_content_type("text/plain; charset=utf-8").set_response_topic("clients/conv/ack");
  w.props.set_correlation_data(binary(correlation, sizeof correlation)).set_will_delay_interval(30);
  w.props.set_user_properties(users);
  c.username = "alice";
  c.password = binary(password, sizeof password);
  c.props.set_session_expiry_interval(7200).set_receive_maximum(20).set_maximum_packet_size(1 << 20);
  c.props.set_topic_alias_maximum(10).set_request_response_information(true);
  c.props.set_request_problem_information(true).set_authentication_method(method);
  c.props.set_authentication_data(auth_bytes(0)).set_user_properties(users);
  return c;
}

connack full_connack() {
  connack a;
  a.session_present = true;
  a.props = common("welcome");
  a.props.set_session_expiry_interval(3600).set_receive_maximum(50).set_maximum_qos(1);
  a.props.set_retain_available(true).set_maximum_packet_size(1 << 20).set_topic_alias_maximum(8);
  a.props.set_wildcard_subscription_available(true).set_subscription_identifier_available(true);
  a.props.set_shared_subscription_available(true).set_server_keep_alive(300);
  a.props.set_response_information("responses/conv/").set_server_reference("broker-2.example");
  a.props.set_authentication_method(method).set_authentication_data(auth_bytes(3));
  return a;
}

publish full_publish(bool from_server, qos q, std::uint16_t id) {
  publish p;
  p.dup = true;
  p.qos = q;
  p.retain = true;
  p.topic = from_server ? "sensors/\xC3\xA9t\xC3\xA9/temp" : "sensors/hall/temp";
  p.packet_id = id;
  p.props.set_payload_format_indicator(true).set_message_expiry_interval(120);
  p.props.set_topic_alias(from_server ? 10 : 3).set_response_topic("replies/conv");
  p.props.set_correlation_data(binary(correlation, sizeof correlation)).set_user_properties(users);
  p.props.set_content_type("application/json");
  if (from_server) p.props.set_subscription_identifiers(sub_ids);
  p.payload = binary(std::string_view(R"({"t":21.5,"unit":"\u00b0C"})"));
  return p;
}

template <class Ack>
Ack full_ack(std::uint16_t id, std::uint8_t code) {
  Ack a;
  a.packet_id = id;
  a.reason_code = code;
  a.props = common("ack");
  return a;
}

const subscription subs[] = {{"sensors/+/temp", qos::exactly_once, true, true, 2},
                             {"$share/grp/alerts/#", qos::at_least_once, false, true, 1},
                             {"#", qos::at_most_once, true, false, 0}};
const std::string_view filters[] = {"sensors/+/temp", "$share/grp/alerts/#", "nothing/here"};
const std::uint8_t suback_codes[] = {reason::granted_qos_2, reason::granted_qos_1, reason::not_authorized};
const std::uint8_t unsuback_codes[] = {reason::success, reason::success, reason::no_subscription_existed};

// The whole conversation: enhanced authentication, re-authentication, every other packet kind
// both ways, and a DISCONNECT from `client_disconnects ? client : server`.
script full_script(bool client_disconnects) {
  script s;
  s.push_back({true, full_connect()});
  s.push_back({false, auth_packet(reason::continue_authentication, 1)});
  s.push_back({true, auth_packet(reason::continue_authentication, 2)});
  s.push_back({false, full_connack()});
  s.push_back({true, auth_packet(reason::re_authenticate, 0)});
  s.push_back({false, auth_packet(reason::success, 3)});
  // QoS 1 from the client (the CONNACK's Maximum QoS is 1), QoS 2 and QoS 1 from the server.
  s.push_back({true, full_publish(false, qos::at_least_once, 1)});
  s.push_back({false, full_ack<puback>(1, reason::no_matching_subscribers)});
  s.push_back({false, full_publish(true, qos::exactly_once, 2)});
  s.push_back({true, full_ack<pubrec>(2, reason::success)});
  s.push_back({false, full_ack<pubrel>(2, reason::success)});
  s.push_back({true, full_ack<pubcomp>(2, reason::success)});
  s.push_back({false, full_publish(true, qos::at_least_once, 3)});
  s.push_back({true, full_ack<puback>(3, reason::quota_exceeded)});
  s.push_back({false, full_ack<pubrec>(0xFFFF, reason::packet_identifier_in_use)});
  s.push_back({true, full_ack<pubrel>(0xFFFF, reason::packet_identifier_not_found)});
  s.push_back({false, full_ack<pubcomp>(0xFFFF, reason::packet_identifier_not_found)});
  subscribe sub;
  sub.packet_id = 10;
  sub.props.set_subscription_identifiers(std::span<const std::uint32_t>(sub_ids, 1)).set_user_properties(users);
  sub.subscriptions = subs;
  s.push_back({true, sub});
  suback sa;
  sa.packet_id = 10;
  sa.props = common("granted");
  sa.reason_codes = binary(suback_codes, sizeof suback_codes);
  s.push_back({false, sa});
  unsubscribe un;
  un.packet_id = 11;
  un.props.set_user_properties(users);
  un.topic_filters = filters;
  s.push_back({true, un});
  unsuback ua;
  ua.packet_id = 11;
  ua.props = common("gone");
  ua.reason_codes = binary(unsuback_codes, sizeof unsuback_codes);
  s.push_back({false, ua});
  s.push_back({true, pingreq{}});
  s.push_back({false, pingresp{}});
  disconnect d;
  d.props = common("bye");
  if (client_disconnects) {
    d.reason_code = reason::disconnect_with_will_message;
    d.props.set_session_expiry_interval(60);
  } else {
    d.reason_code = reason::use_another_server;
    d.props.set_server_reference("broker-3.example");
  }
  s.push_back({client_disconnects, d});
  return s;
}

}  // namespace

TEST_SUITE("conn v5") {

TEST_CASE("a 5.0 conversation carries every packet kind both ways with every property and the client disconnects") {
  const script s = full_script(true);
  const live_run live = run_live(s);
  CHECK(live.server.version() == pv::v5);
  CHECK(live.client.version() == pv::v5);
  CHECK(live.server.bridge());
  CHECK(live.client.closed());
  CHECK(live.server.closed());
  CHECK_FALSE(live.server.failure().has_value());
}

TEST_CASE("a 5.0 conversation carries every packet kind both ways with every property and the server disconnects") {
  const script s = full_script(false);
  const live_run live = run_live(s);
  CHECK(live.client.closed());
  CHECK(live.server.closed());
  CHECK_FALSE(live.client.failure().has_value());
}

TEST_CASE("the full 5.0 conversation gives the same events whole and byte by byte and at every split point") {
  for (const bool by_client : {true, false}) {
    INFO("DISCONNECT from the " << std::string(by_client ? "client" : "server"));
    const script s = full_script(by_client);
    check_replays(s, run_live(s));
  }
}

TEST_CASE("enhanced authentication exchanges AUTH 0x18 before CONNACK and re-authenticates with 0x19 then 0x00 [MQTT-4.12.0-2] [MQTT-4.12.0-3] [MQTT-4.12.0-5] [MQTT-4.12.1-1]") {
  connection client = make_client();
  connection server = make_server();
  const connect c = full_connect();
  REQUIRE(client.connect(c));
  transfer_one<connect>(client, server, [&](const connect& got) {
    CHECK(got == c);
    CHECK(got.props.authentication_method() == method);
  });
  const auth challenge = auth_packet(reason::continue_authentication, 1);
  REQUIRE(server.auth(challenge));
  CHECK(server.state() == connection_state::connecting);
  transfer_one<auth>(server, client, [&](const auth& got) { CHECK(got == challenge); });
  CHECK(client.state() == connection_state::connecting);
  const auth answer = auth_packet(reason::continue_authentication, 2);
  REQUIRE(client.auth(answer));
  transfer_one<auth>(client, server, [&](const auth& got) { CHECK(got == answer); });
  CHECK(server.state() == connection_state::connecting);
  const connack accept = full_connack();
  REQUIRE(server.connack(accept));
  CHECK(server.state() == connection_state::connected);
  transfer_one<connack>(server, client, [&](const connack& got) {
    CHECK(got == accept);
    CHECK(got.props.authentication_method() == method);
  });
  CHECK(client.state() == connection_state::connected);
  const auth again = auth_packet(reason::re_authenticate, 0);
  REQUIRE(client.auth(again));
  transfer_one<auth>(client, server, [&](const auth& got) { CHECK(got == again); });
  const auth done = auth_packet(reason::success, 3);
  REQUIRE(server.auth(done));
  transfer_one<auth>(server, client, [&](const auth& got) { CHECK(got == done); });
  CHECK(client.state() == connection_state::connected);
  CHECK(server.state() == connection_state::connected);
  CHECK(client.output_size() == 0);
  CHECK(server.output_size() == 0);
}

TEST_CASE("a CONNECT with an empty Client ID gets a CONNACK with every property and its Assigned Client Identifier [MQTT-3.2.2-16]") {
  connect c;
  c.client_id = "";
  c.props.set_request_response_information(true).set_topic_alias_maximum(4);
  connack a = full_connack();
  a.session_present = false;
  a.props.clear(property_id::authentication_method).clear(property_id::authentication_data);
  a.props.set_assigned_client_identifier("auto-7f3a9c");
  const script s = {{true, c}, {false, a}, {true, pingreq{}}, {false, pingresp{}}};
  const live_run live = run_live(s);
  CHECK(live.client.state() == connection_state::connected);
  check_replays(s, live);
}

TEST_CASE("random 5.0 conversations deliver every packet kind unchanged both ways") {
  for (std::uint64_t seed = 1; seed <= 24; ++seed) {
    CAPTURE(seed);
    packet_generator gen(seed);
    const script s = random_script(gen, pv::v5, seed % 2 == 0, 2);
    const live_run live = run_live(s);
    CHECK(live.client.closed());
    CHECK(live.server.closed());
    if (seed <= 4) check_replays(s, live);
  }
}

TEST_CASE("bytes that arrive with a 5.0 CONNECT stay for the next receive [V5-U28]") {
  check_bytes_after_connect(pv::v5);
  publish p;
  p.topic = "early";
  p.payload = binary(std::string_view("before CONNACK"));
  const script s = {{true, plain_connect(pv::v5)}, {true, p}, {true, pingreq{}}, {false, connack{}}, {false, pingresp{}}};
  check_replays(s, run_live(s));
}

TEST_CASE("a 5.0 connection gives event_pending while an event waits and changes nothing") {
  check_event_pending(pv::v5);
}

TEST_CASE("after the 5.0 client sends DISCONNECT both ends refuse every send and receive as closed [MQTT-3.14.4-1]") {
  check_closed_after_disconnect(pv::v5, true);
}

TEST_CASE("after the 5.0 server sends DISCONNECT both ends refuse every send and receive as closed [MQTT-3.14.4-1]") {
  check_closed_after_disconnect(pv::v5, false);
}

}  // TEST_SUITE
