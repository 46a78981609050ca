// An MQTT 3.1 ("MQIsdp", level 3) client and server back to back: every packet kind in every
// legal direction with every field filled, checked field by field at the far end, then
// replayed with the bytes cut at every point. 3.1 has no Session Present [V31-D03], grants only
// QoS 0..2 in SUBACK [V31-D04] and lets resent PUBREL, SUBSCRIBE and UNSUBSCRIBE carry DUP
// [V31-D06].
#include "conversation.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

constexpr protocol_version level = protocol_version::v3_1;

const std::uint8_t password[] = {'s', 'e', 'c', 'r', 'e', 't', 0x00, 0xFE};
const std::uint8_t blob[] = {0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF, '{', '}'};

connect full_connect() {
  connect c;
  c.version = level;
  c.bridge = true;
  c.clean_start = false;
  c.keep_alive = 600;
  c.client_id = "conv-client-31";  // 1 to 23 characters [V31-D02]
  will_message& w = c.will.emplace();
  w.topic = "clients/conv/status";
  w.payload = binary(std::string_view("offline"));
  w.qos = qos::exactly_once;
  w.retain = true;
  c.username = "alice";
  c.password = binary(password, sizeof password);
  return c;
}

publish full_publish(qos q, std::uint16_t id, bool from_server) {
  publish p;
  p.dup = q != qos::at_most_once;
  p.qos = q;
  p.retain = true;
  p.topic = from_server ? "sensors/\xC3\xA9t\xC3\xA9/temp" : "sensors/hall/temp";
  p.packet_id = id;
  p.payload = binary(blob, sizeof blob);
  return p;
}

template <class Ack>
Ack ack(std::uint16_t id) {
  Ack a;
  a.packet_id = id;
  return a;
}

pubrel resent_pubrel(std::uint16_t id) {
  pubrel r = ack<pubrel>(id);
  r.dup = true;
  return r;
}

const subscription subs[] = {{"sensors/+/temp", qos::exactly_once}, {"alerts/#", qos::at_least_once}, {"#", qos::at_most_once}};
const std::string_view filters[] = {"sensors/+/temp", "alerts/#", "nothing/here"};
const std::uint8_t granted[] = {2, 1, 0};

// CONNECT, CONNACK, the QoS 1 and QoS 2 flows both ways (each PUBREL resent with DUP), QoS 0
// both ways, SUBSCRIBE and UNSUBSCRIBE (each resent with DUP), PINGREQ, DISCONNECT.
script full_script() {
  script s;
  s.push_back({true, full_connect()});
  s.push_back({false, connack{}});
  s.push_back({true, full_publish(qos::at_least_once, 1, false)});
  s.push_back({false, ack<puback>(1)});
  s.push_back({true, full_publish(qos::exactly_once, 2, false)});
  s.push_back({false, ack<pubrec>(2)});
  s.push_back({true, ack<pubrel>(2)});
  s.push_back({true, resent_pubrel(2)});
  s.push_back({false, ack<pubcomp>(2)});
  s.push_back({false, full_publish(qos::at_least_once, 3, true)});
  s.push_back({true, ack<puback>(3)});
  s.push_back({false, full_publish(qos::exactly_once, 0xFFFF, true)});
  s.push_back({true, ack<pubrec>(0xFFFF)});
  s.push_back({false, resent_pubrel(0xFFFF)});
  s.push_back({true, ack<pubcomp>(0xFFFF)});
  s.push_back({true, full_publish(qos::at_most_once, 0, false)});
  s.push_back({false, full_publish(qos::at_most_once, 0, true)});
  subscribe sub;
  sub.packet_id = 10;
  sub.subscriptions = subs;
  s.push_back({true, sub});
  sub.dup = true;
  s.push_back({true, sub});
  suback sa;
  sa.packet_id = 10;
  sa.reason_codes = binary(granted, sizeof granted);
  s.push_back({false, sa});
  unsubscribe un;
  un.packet_id = 11;
  un.topic_filters = filters;
  un.dup = true;
  s.push_back({true, un});
  s.push_back({false, ack<unsuback>(11)});
  s.push_back({true, pingreq{}});
  s.push_back({false, pingresp{}});
  s.push_back({true, disconnect{}});
  return s;
}

}  // namespace

TEST_SUITE("conn v31") {

TEST_CASE("a 3.1 conversation carries every packet kind both ways with every field [V31-D06] [V31-D08]") {
  const script s = full_script();
  const live_run live = run_live(s);
  CHECK(live.server.version() == level);
  CHECK(live.client.version() == level);
  CHECK(live.server.bridge());
  CHECK(live.client.closed());
  CHECK(live.server.closed());
  CHECK_FALSE(live.server.failure().has_value());
  CHECK_FALSE(live.client.failure().has_value());
}

TEST_CASE("the full 3.1 conversation gives the same events whole and byte by byte and at every split point") {
  const script s = full_script();
  check_replays(s, run_live(s));
}

TEST_CASE("a 3.1 CONNECT names MQIsdp at level 3 on the wire [V31-D01]") {
  connection client = make_client();
  REQUIRE(client.connect(full_connect()));
  const std::vector<std::uint8_t> wire = drain(client);
  REQUIRE(wire.size() > 11);
  CHECK(to_hex(bytes(wire).subspan(2, 9)) == "00 06 4d 51 49 73 64 70 83");  // "MQIsdp", level 3 + bridge bit
}

TEST_CASE("a 3.1 server cannot send DISCONNECT and the connection stays open [V31-D08]") {
  live_run pr = run_live(handshake(level));
  const result<void> r = pr.server.disconnect();
  REQUIRE(!r);
  CHECK(r.error().code == errc::wrong_state);
  CHECK(pr.server.output_size() == 0);
  CHECK(pr.server.state() == connection_state::connected);
}

TEST_CASE("random 3.1 conversations deliver every packet kind unchanged both ways") {
  for (std::uint64_t seed = 1; seed <= 24; ++seed) {
    CAPTURE(seed);
    packet_generator gen(seed + 31);
    const script s = random_script(gen, level, true, 2);
    const live_run live = run_live(s);
    CHECK(live.client.closed());
    CHECK(live.server.closed());
    if (seed <= 4) check_replays(s, live);
  }
}

TEST_CASE("bytes that arrive with a 3.1 CONNECT stay for the next receive") {
  check_bytes_after_connect(level);
  publish p;
  p.topic = "early";
  p.payload = binary(std::string_view("before CONNACK"));
  const script s = {{true, plain_connect(level)}, {true, p}, {true, pingreq{}}, {false, connack{}}, {false, pingresp{}}};
  check_replays(s, run_live(s));
}

TEST_CASE("a 3.1 connection gives event_pending while an event waits and changes nothing") {
  check_event_pending(level);
}

TEST_CASE("after the 3.1 client sends DISCONNECT both ends refuse every send and receive as closed") {
  check_closed_after_disconnect(level, true);
}

}  // TEST_SUITE
