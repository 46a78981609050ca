// A session's life in the broker: retained messages at subscribe time, the Will, keep-alive,
// client identifier takeover, bad bytes, shutdown.
#include "broker_harness.hpp"

using namespace mqttbroker;
using namespace mqttbroker::test;

namespace {

will_message make_will(std::string_view topic, std::string_view payload, qos q = qos::at_least_once, bool retain = false) {
  will_message w;
  w.topic = topic;
  w.payload = binary(payload);
  w.qos = q;
  w.retain = retain;
  return w;
}

}  // namespace

TEST_SUITE("broker lifecycle") {

TEST_CASE("retained messages follow the SUBACK with RETAIN 1, live ones to existing subscriptions carry RETAIN 0 [3.1.1 MQTT-3.3.1-6] [3.1.1 MQTT-3.3.1-8] [3.1.1 MQTT-3.3.1-9]") {
  for (const protocol_version v : all_versions) {
    CAPTURE(name(v));
    millis now{0};
    broker b;
    test_client pub(b, now), sub(b, now);
    pub.connect(v, "pub");
    sub.connect(v, "sub");
    pub.publish_msg("r/a", "kept", qos::at_least_once, 1, true);
    CHECK(pub.one<puback>().packet_id == 1);
    pub.publish_msg("r/b", "kept-too", qos::at_most_once, 0, true);
    CHECK(b.retained().size() == 2);
    sub.subscribe("r/+", qos::exactly_once);
    const std::vector<packet> got = sub.after_suback();
    REQUIRE(got.size() == 2);
    for (const packet& p : got) {
      const publish& m = std::get<publish>(p);
      CHECK(m.retain);
      CHECK(m.qos == (m.topic == "r/a" ? qos::at_least_once : qos::at_most_once));  // min(stored, granted)
    }
    pub.publish_msg("r/a", "live", qos::at_most_once, 0, true);
    const std::vector<publish> live = sub.publishes();
    REQUIRE(live.size() == 1);
    CHECK_FALSE(live[0].retain);
    // An empty retained payload deletes the topic's message, and is itself delivered.
    pub.publish_msg("r/a", "", qos::at_most_once, 0, true);
    CHECK(sub.publishes().size() == 1);
    CHECK(b.retained().size() == 1);
    test_client late(b, now);
    late.connect(v, "late");
    late.subscribe("r/#", qos::at_most_once);
    const std::vector<packet> only_b = late.after_suback();
    REQUIRE(only_b.size() == 1);
    CHECK(std::get<publish>(only_b[0]).topic == "r/b");
  }
}

TEST_CASE("the Will is published when the connection is lost [3.1.1 MQTT-3.1.2-8] [5.0 MQTT-3.1.2-8]") {
  for (const protocol_version v : all_versions) {
    CAPTURE(name(v));
    millis now{0};
    broker b;
    test_client watcher(b, now);
    watcher.connect(v, "watcher");
    watcher.subscribe("status/#", qos::at_least_once);
    {
      test_client dying(b, now);
      dying.connect(v, "dying", 0, make_will("status/dying", "gone", qos::exactly_once, true));
      b.transport_closed(dying.s(), "connection reset", now);
      CHECK(dying.s().closing);
      b.release(dying.s());
    }
    const std::vector<publish> got = watcher.publishes();
    REQUIRE(got.size() == 1);
    CHECK(got[0].topic == "status/dying");
    CHECK(text(got[0].payload) == "gone");
    CHECK(got[0].qos == qos::at_least_once);
    REQUIRE(b.retained().find("status/dying") != nullptr);  // Will Retain 1 [3.1.1 MQTT-3.1.2-17]
    CHECK(b.session_count() == 1);
  }
}

TEST_CASE("a normal DISCONNECT discards the Will [3.1.1 MQTT-3.14.4-3] [5.0 MQTT-3.1.2-10]") {
  for (const protocol_version v : all_versions) {
    CAPTURE(name(v));
    millis now{0};
    broker b;
    test_client watcher(b, now), leaving(b, now);
    watcher.connect(v, "watcher");
    watcher.subscribe("status/#", qos::at_most_once);
    leaving.connect(v, "leaving", 0, make_will("status/leaving", "gone"));
    leaving.send(disconnect{});
    CHECK(leaving.s().closing);
    b.transport_closed(leaving.s(), "closed", now);  // the socket closes after DISCONNECT
    CHECK(watcher.pull().empty());
  }
}

TEST_CASE("a 5.0 DISCONNECT with reason 0x04 publishes the Will [5.0 MQTT-3.1.2-8]") {
  millis now{0};
  broker b;
  test_client watcher(b, now), leaving(b, now);
  watcher.connect(protocol_version::v5, "watcher");
  watcher.subscribe("status/#", qos::at_most_once);
  leaving.connect(protocol_version::v5, "leaving", 0, make_will("status/leaving", "bye"));
  disconnect d;
  d.reason_code = reason::disconnect_with_will_message;
  leaving.send(d);
  const std::vector<publish> got = watcher.publishes();
  REQUIRE(got.size() == 1);
  CHECK(text(got[0].payload) == "bye");
}

TEST_CASE("silence for 1.5 x Keep Alive closes the client and publishes its Will (5.0: DISCONNECT 0x8D) [3.1.1 MQTT-3.1.2-24] [5.0 MQTT-3.1.2-22]") {
  for (const protocol_version v : all_versions) {
    CAPTURE(name(v));
    millis now{0};
    broker b;
    test_client watcher(b, now), idle(b, now);
    watcher.connect(v, "watcher", 0);
    watcher.subscribe("status/#", qos::at_most_once);
    idle.connect(v, "idle", 10, make_will("status/idle", "timed out"));
    now = millis(14000);
    idle.send(pingreq{});  // a packet restarts the clock
    idle.one<pingresp>();
    now = millis(14000 + 15000);
    b.tick(now);
    CHECK_FALSE(idle.s().closing);  // exactly 1.5 x: not yet
    now += millis(1);
    b.tick(now);
    CHECK(idle.s().closing);
    if (v == protocol_version::v5) {
      CHECK(idle.one<disconnect>().reason_code == reason::keep_alive_timeout);
    } else {
      CHECK(idle.pull().empty());
    }
    REQUIRE(watcher.publishes().size() == 1);
    CHECK_FALSE(watcher.s().closing);  // Keep Alive 0: never timed out
  }
}

TEST_CASE("a connection that sends no CONNECT is closed after the connect timeout") {
  millis now{0};
  broker_options o;
  o.connect_timeout = millis(5000);
  broker b(o);
  session& s = b.open("silent", now);
  b.tick(millis(5000));
  CHECK_FALSE(s.closing);
  b.tick(millis(5001));
  CHECK(s.closing);
}

TEST_CASE("a second connection with the same client identifier takes over: the old one is closed (5.0: DISCONNECT 0x8E) [3.1.1 MQTT-3.1.4-2] [5.0 MQTT-3.1.4-3]") {
  for (const protocol_version v : all_versions) {
    CAPTURE(name(v));
    millis now{0};
    broker b;
    test_client first(b, now), second(b, now), pub(b, now);
    first.connect(v, "same");
    first.subscribe("t", qos::at_most_once);
    second.connect(v, "same");
    CHECK(first.s().closing);
    if (v == protocol_version::v5) {
      CHECK(first.one<disconnect>().reason_code == reason::session_taken_over);
    }
    CHECK(b.find("same") == &second.s());
    // Clean session: the subscriptions of the old connection are gone.
    pub.connect(v, "pub");
    pub.publish_msg("t", "x", qos::at_most_once);
    CHECK(first.pull().empty());
    CHECK(second.pull().empty());
  }
}

TEST_CASE("bad bytes close only the offending client, with its Will, and the broker goes on") {
  for (const protocol_version v : all_versions) {
    CAPTURE(name(v));
    millis now{0};
    broker b;
    test_client watcher(b, now), bad(b, now);
    watcher.connect(v, "watcher");
    watcher.subscribe("#", qos::at_most_once);
    bad.connect(v, "bad", 0, make_will("status/bad", "broke the protocol"));
    bad.send_bytes({0x30, 0x03, 0x00, 0x09, 'a'});  // PUBLISH whose topic runs past the packet
    CHECK(bad.s().closing);
    CHECK_FALSE(watcher.s().closing);
    const std::vector<publish> got = watcher.publishes();
    REQUIRE(got.size() == 1);
    CHECK(got[0].topic == "status/bad");
    b.release(bad.s());
    // Garbage before any CONNECT: closed, nothing to publish.
    session& junk = b.open("junk", now);
    const std::vector<std::uint8_t> noise = {0xFF, 0x00, 0x13, 0x37};
    b.receive(junk, noise, now);
    CHECK(junk.closing);
    b.release(junk);
    CHECK(b.session_count() == 1);  // the watcher
  }
}

TEST_CASE("an empty client identifier gets one assigned (5.0: in CONNACK) [5.0 MQTT-3.1.3-6] [5.0 MQTT-3.1.3-7]") {
  millis now{0};
  broker b;
  test_client a(b, now), c(b, now);
  const connack ca = a.connect(protocol_version::v5, "");
  REQUIRE(ca.props.assigned_client_identifier().has_value());
  CHECK_FALSE(ca.props.assigned_client_identifier()->empty());
  CHECK(b.find(*ca.props.assigned_client_identifier()) == &a.s());
  CHECK(c.connect(protocol_version::v3_1_1, "").reason_code == 0);
  CHECK(c.s().client_id != a.s().client_id);
  CHECK_FALSE(a.s().closing);
}

TEST_CASE("shutdown closes every session, 5.0 clients with DISCONNECT 0x8B, and publishes no Will") {
  millis now{0};
  broker b;
  test_client v5(b, now), v3(b, now);
  v5.connect(protocol_version::v5, "five", 0, make_will("w", "x"));
  v3.connect(protocol_version::v3_1_1, "three");
  v3.subscribe("#", qos::at_most_once);
  b.shutdown();
  CHECK(v5.s().closing);
  CHECK(v3.s().closing);
  CHECK(v5.one<disconnect>().reason_code == reason::server_shutting_down);
  CHECK(v3.pull().empty());
}

TEST_CASE("a quiet session sleeps without its connection and wakes with the same state") {
  for (const protocol_version v : all_versions) {
    CAPTURE(name(v));
    const bool v5 = v == protocol_version::v5;
    broker_options o;
    o.idle_sleep = millis(1000);
    broker b(o);
    millis now{0};
    test_client pub(b, now), sub(b, now, 64);
    pub.connect(v, "pub");
    properties limits;
    if (v5) limits.set_maximum_packet_size(64);
    sub.connect(v, "sub", 30, std::nullopt, limits);
    CHECK(sub.s().asleep());  // asleep as soon as the CONNACK was written
    sub.subscribe("t/#", qos::at_least_once);
    CHECK_FALSE(sub.s().asleep());  // woken by the SUBSCRIBE
    now = millis(999);
    b.tick(now);
    CHECK(b.asleep_count() == 1);  // the publisher, which only connected
    now = millis(1500);
    b.tick(now);
    CHECK(pub.s().asleep());
    CHECK(sub.s().asleep());
    CHECK(b.asleep_count() == 2);

    // A received packet wakes the publisher, a delivery the subscriber; the flows go on.
    pub.publish_msg("t/1", "hello", qos::at_least_once, 1);
    CHECK(pub.one<puback>().packet_id == 1);
    std::vector<publish> got = sub.publishes();
    REQUIRE(got.size() == 1);
    CHECK(text(got[0].payload) == "hello");
    CHECK(got[0].qos == qos::at_least_once);
    if (v5) {
      // The client's Maximum Packet Size came back with the rebuilt connection.
      pub.publish_msg("t/big", std::string(100, 'x'), qos::at_most_once);
      CHECK(sub.pull().empty());
    }
    // Something in flight keeps the session awake until it is acknowledged.
    now = millis(3000);
    b.tick(now);
    CHECK_FALSE(sub.s().asleep());
    CHECK(pub.s().asleep());
    sub.send(ack<puback>(got[0].packet_id));
    CHECK(sub.s().inflight() == 0);
    now = millis(4500);
    b.tick(now);
    CHECK(sub.s().asleep());

    // Half a packet keeps the session awake: the connection holds the first byte.
    sub.send_bytes({0xC0});  // PINGREQ, first byte
    now = millis(7000);
    b.tick(now);
    CHECK_FALSE(sub.s().asleep());
    sub.send_bytes({0x00});
    sub.one<pingresp>();
    CHECK(b.stats().dropped == (v5 ? 1u : 0u));
  }
}

}  // TEST_SUITE
