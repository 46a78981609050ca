// The two usage examples of the original mqtt-connection README, reproduced in memory: the
// server example's handlers (connect -> connack returnCode 0, publish -> puback with the
// messageId, pingreq -> pingresp, subscribe -> suback with the granted QoS and messageId,
// disconnect -> destroy), and a client that connects as the README's API section describes
// (protocolId "MQIsdp", protocolVersion 3, keepalive, clientId, will, clean, username, password)
// and talks to it. The event loop is the one of connection.hpp.
#include <functional>

#include "conversation.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

using pv = protocol_version;

// server.on('connection', function (stream) { var client = mqttCon(stream); ... })
struct readme_server {
  connection client = make_server();  // the README calls the server's connection `client`
  bool destroyed = false;
  std::vector<packet_type> seen;

  void on(const packet& p) {
    seen.push_back(type_of(p));
    if (std::holds_alternative<connect>(p)) {
      connack a;  // client.connack({ returnCode: 0 })
      a.reason_code = 0;
      REQUIRE(client.connack(a));
    } else if (const auto* pub = std::get_if<publish>(&p)) {
      if (pub->qos != qos::at_most_once) {  // client.puback({ messageId: packet.messageId })
        puback ack;
        ack.packet_id = pub->packet_id;
        REQUIRE(client.puback(ack));
      }
    } else if (std::holds_alternative<pingreq>(p)) {
      REQUIRE(client.pingresp());  // client.pingresp()
    } else if (const auto* sub = std::get_if<subscribe>(&p)) {
      std::vector<std::uint8_t> granted;  // client.suback({ granted: [packet.qos], messageId: ... })
      for (const subscription& s : sub->subscriptions) granted.push_back(static_cast<std::uint8_t>(s.max_qos));
      suback a;
      a.packet_id = sub->packet_id;
      a.reason_codes = binary(granted.data(), granted.size());
      REQUIRE(client.suback(a));
    } else if (std::holds_alternative<disconnect>(p)) {
      destroyed = true;  // client.on('disconnect', function () { client.destroy() })
    }
  }
};

// What the README's client sends: Connection#connect with the documented options.
connect readme_connect(pv v) {
  connect c;
  c.version = v;  // protocolId "MQIsdp" + protocolVersion 3 at level 3
  c.keep_alive = 60;
  c.client_id = "readme-client";
  c.clean_start = true;
  will_message& w = c.will.emplace();
  w.topic = "readme/will";
  w.payload = binary(std::string_view("gone"));
  w.qos = qos::at_least_once;
  c.username = "user";
  c.password = binary(std::string_view("pass"));
  return c;
}

const subscription readme_subs[] = {{"a", qos::at_most_once}, {"b/+", qos::at_least_once}, {"c/#", qos::exactly_once}};

// var conn = mqttCon(stream): connects, and once CONNACK is in subscribes, publishes at QoS 1
// and 0, pings, and disconnects on PINGRESP.
struct readme_client {
  connection conn = make_client();
  std::vector<packet_type> seen;
  std::vector<std::uint8_t> granted;
  std::uint16_t suback_id = 0, puback_id = 0;

  void on(const packet& p) {
    seen.push_back(type_of(p));
    if (const auto* a = std::get_if<connack>(&p)) {
      REQUIRE(a->reason_code == 0);
      subscribe s;  // conn.subscribe({ messageId: 1, subscriptions: [...] })
      s.packet_id = 1;
      s.subscriptions = readme_subs;
      REQUIRE(conn.subscribe(s));
      publish q1;  // conn.publish({ topic, payload, qos: 1, messageId: 2 })
      q1.topic = "b/readme";
      q1.qos = qos::at_least_once;
      q1.packet_id = 2;
      q1.payload = binary(std::string_view("hello"));
      REQUIRE(conn.publish(q1));
      publish q0;  // conn.publish({ topic, payload }): QoS 0, no puback
      q0.topic = "a";
      q0.payload = binary(std::string_view("fire and forget"));
      REQUIRE(conn.publish(q0));
      REQUIRE(conn.pingreq());
    } else if (const auto* sa = std::get_if<suback>(&p)) {
      suback_id = sa->packet_id;
      granted.assign(sa->reason_codes.begin(), sa->reason_codes.end());
    } else if (const auto* pa = std::get_if<puback>(&p)) {
      puback_id = pa->packet_id;
    } else if (std::holds_alternative<pingresp>(p)) {
      REQUIRE(conn.disconnect());
    }
  }
};

// The event loop of connection.hpp, both ways, until neither side has anything to write:
// each side's queued bytes go to the other in reads of `chunk` bytes.
void run(readme_client& c, readme_server& s, std::size_t chunk) {
  for (int turn = 0; turn < 20 && (c.conn.output_size() > 0 || s.client.output_size() > 0); ++turn) {
    const std::vector<std::uint8_t> up = drain(c.conn);
    const delivery d1 = feed(s.client, up, chunk, [&](const packet& p) { s.on(p); });
    REQUIRE_FALSE(d1.failure.has_value());
    const std::vector<std::uint8_t> down = drain(s.client);
    const delivery d2 = feed(c.conn, down, chunk, [&](const packet& p) { c.on(p); });
    REQUIRE_FALSE(d2.failure.has_value());
  }
  CHECK(c.conn.output_size() == 0);
  CHECK(s.client.output_size() == 0);
}

// Sends one packet from a bare client to the README server and returns what the server wrote.
std::vector<std::uint8_t> ask(connection& client, readme_server& s, const packet& p) {
  REQUIRE(client.send(p));
  const std::vector<std::uint8_t> up = drain(client);
  const delivery d = feed(s.client, up, up.size(), [&](const packet& got) { s.on(got); });
  REQUIRE_FALSE(d.failure.has_value());
  CHECK(d.events == 1);
  return drain(s.client);
}

}  // namespace

TEST_SUITE("conn seed") {

TEST_CASE("the README server example answers each packet as its handlers say at every level") {
  for (const pv v : {pv::v3_1, pv::v3_1_1, pv::v5}) {
    CAPTURE(static_cast<int>(v));
    readme_server s;
    connection client = make_client();
    auto answer = [&](const packet& p, const std::function<void(const packet&)>& check) {
      const std::vector<std::uint8_t> down = ask(client, s, p);
      std::size_t n = 0;
      const delivery d = feed(client, down, down.size(), [&](const packet& got) {
        ++n;
        check(got);
      });
      CHECK_FALSE(d.failure.has_value());
      return n;
    };
    CHECK(answer(readme_connect(v), [](const packet& got) {
      const connack* a = std::get_if<connack>(&got);
      REQUIRE(a != nullptr);
      CHECK(a->reason_code == 0);  // returnCode: 0
      CHECK_FALSE(a->session_present);
    }) == 1);
    CHECK(client.state() == connection_state::connected);
    CHECK(s.client.state() == connection_state::connected);
    publish p;
    p.topic = "b/readme";
    p.qos = qos::at_least_once;
    p.packet_id = 4242;
    p.payload = binary(std::string_view("{\"hello\":1}"));
    CHECK(answer(p, [](const packet& got) {
      const puback* a = std::get_if<puback>(&got);
      REQUIRE(a != nullptr);
      CHECK(a->packet_id == 4242);  // messageId: packet.messageId
    }) == 1);
    p.qos = qos::at_most_once;
    p.packet_id = 0;
    CHECK(answer(p, [](const packet&) {}) == 0);  // QoS 0: no puback
    CHECK(answer(pingreq{}, [](const packet& got) { CHECK(std::holds_alternative<pingresp>(got)); }) == 1);
    subscribe sub;
    sub.packet_id = 77;
    sub.subscriptions = readme_subs;
    CHECK(answer(sub, [](const packet& got) {
      const suback* a = std::get_if<suback>(&got);
      REQUIRE(a != nullptr);
      CHECK(a->packet_id == 77);
      const std::uint8_t want[] = {0, 1, 2};
      CHECK(a->reason_codes == binary(want, sizeof want));  // granted: the requested QoS
    }) == 1);
    CHECK(answer(disconnect{}, [](const packet&) {}) == 0);
    CHECK(s.destroyed);
    CHECK(s.client.closed());
    CHECK(client.closed());
    const std::vector<packet_type> want = {packet_type::connect, packet_type::publish, packet_type::publish,
                                           packet_type::pingreq, packet_type::subscribe, packet_type::disconnect};
    CHECK(s.seen == want);
  }
}

TEST_CASE("the README client connects with MQIsdp level 3 and talks to the README server") {
  readme_client c;
  readme_server s;
  const connect hello = readme_connect(pv::v3_1);
  REQUIRE(c.conn.connect(hello));
  const bytes first = c.conn.output();
  REQUIRE(first.size() > 11);
  CHECK(to_hex(first.subspan(2, 9)) == "00 06 4d 51 49 73 64 70 03");  // protocolId MQIsdp, protocolVersion 3
  run(c, s, SIZE_MAX);
  CHECK(s.client.version() == pv::v3_1);
  CHECK(s.destroyed);
  CHECK(c.conn.closed());
  CHECK(s.client.closed());
}

TEST_CASE("the README client and server talk the same at every level whole and byte by byte") {
  for (const pv v : {pv::v3_1, pv::v3_1_1, pv::v5}) {
    for (const std::size_t chunk : {SIZE_MAX, std::size_t{1}, std::size_t{5}}) {
      CAPTURE(static_cast<int>(v));
      CAPTURE(chunk);
      readme_client c;
      readme_server s;
      REQUIRE(c.conn.connect(readme_connect(v)));
      run(c, s, chunk);
      const std::vector<packet_type> server_saw = {packet_type::connect, packet_type::subscribe, packet_type::publish,
                                                   packet_type::publish, packet_type::pingreq, packet_type::disconnect};
      const std::vector<packet_type> client_saw = {packet_type::connack, packet_type::suback, packet_type::puback,
                                                   packet_type::pingresp};
      CHECK(s.seen == server_saw);
      CHECK(c.seen == client_saw);
      CHECK(c.suback_id == 1);
      const std::uint8_t want[] = {0, 1, 2};
      CHECK(binary(c.granted.data(), c.granted.size()) == binary(want, sizeof want));
      CHECK(c.puback_id == 2);
      CHECK(s.destroyed);
      CHECK(s.client.version() == v);
      CHECK(c.conn.closed());
      CHECK(s.client.closed());
    }
  }
}

}  // TEST_SUITE
