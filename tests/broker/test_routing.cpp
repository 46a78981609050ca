// Routing through in-memory connections: every QoS pair at every protocol level, with the
// full acknowledgement flows on both sides.
#include "broker_harness.hpp"

using namespace mqttbroker;
using namespace mqttbroker::test;

TEST_SUITE("broker routing") {

TEST_CASE("CONNECT is answered with CONNACK 0 and no session present at every level [3.1.1 MQTT-3.2.2-1] [5.0 MQTT-3.2.2-2]") {
  for (const protocol_version v : all_versions) {
    CAPTURE(name(v));
    millis now{0};
    broker b;
    test_client c(b, now);
    const connack a = c.connect(v, "client-1");
    CHECK(a.reason_code == 0);
    CHECK_FALSE(a.session_present);
    CHECK(c.s().connected);
    CHECK(b.find("client-1") == &c.s());
  }
}

TEST_CASE("a message reaches the subscriber at min(published QoS, granted QoS) with the full flows at every level") {
  for (const protocol_version v : all_versions) {
    for (int pq = 0; pq <= 2; ++pq) {
      for (int sq = 0; sq <= 2; ++sq) {
        CAPTURE(name(v));
        CAPTURE(pq);
        CAPTURE(sq);
        millis now{0};
        broker b;
        test_client pub(b, now), sub(b, now);
        pub.connect(v, "pub");
        sub.connect(v, "sub");
        CHECK(sub.subscribe("t/+", static_cast<qos>(sq)) == std::vector<std::uint8_t>{static_cast<std::uint8_t>(sq)});

        const std::uint16_t id = pq == 0 ? 0 : 77;
        pub.publish_msg("t/x", "payload", static_cast<qos>(pq), id);
        // Publisher side: PUBACK for QoS 1, PUBREC -> PUBREL -> PUBCOMP for QoS 2.
        if (pq == 1) CHECK(pub.one<puback>().packet_id == 77);
        if (pq == 2) {
          CHECK(pub.one<pubrec>().packet_id == 77);
          pub.send(ack<pubrel>(77));
          CHECK(pub.one<pubcomp>().packet_id == 77);
        }
        if (pq == 0) CHECK(pub.pull().empty());

        const std::vector<publish> got = sub.publishes();
        REQUIRE(got.size() == 1);
        const publish& p = got[0];
        CHECK(p.topic == "t/x");
        CHECK(text(p.payload) == "payload");
        CHECK(static_cast<int>(p.qos) == std::min(pq, sq));
        CHECK_FALSE(p.retain);
        CHECK_FALSE(p.dup);
        // Subscriber side: the broker waits for the acknowledgements of its own flow.
        if (p.qos == qos::at_least_once) {
          CHECK(sub.s().inflight() == 1);
          sub.send(ack<puback>(p.packet_id));
        } else if (p.qos == qos::exactly_once) {
          sub.send(ack<pubrec>(p.packet_id));
          CHECK(sub.one<pubrel>().packet_id == p.packet_id);
          CHECK(sub.s().inflight() == 1);
          sub.send(ack<pubcomp>(p.packet_id));
        } else {
          CHECK(p.packet_id == 0);
        }
        CHECK(sub.s().inflight() == 0);
        CHECK(b.stats().sent == 1);
        CHECK(b.stats().received == 1);
      }
    }
  }
}

TEST_CASE("a repeated QoS 2 PUBLISH before PUBREL is acknowledged but routed once [3.1.1 MQTT-4.3.3-2] [5.0 MQTT-4.3.3-10] [5.0 MQTT-4.3.3-12]") {
  for (const protocol_version v : all_versions) {
    CAPTURE(name(v));
    millis now{0};
    broker b;
    test_client pub(b, now), sub(b, now);
    pub.connect(v, "pub");
    sub.connect(v, "sub");
    sub.subscribe("t", qos::at_most_once);
    pub.publish_msg("t", "first", qos::exactly_once, 5);
    CHECK(pub.one<pubrec>().packet_id == 5);
    publish again;
    again.topic = "t";
    again.payload = binary(std::string_view("first"));
    again.qos = qos::exactly_once;
    again.packet_id = 5;
    again.dup = true;
    pub.send(again);
    CHECK(pub.one<pubrec>().packet_id == 5);
    CHECK(sub.publishes().size() == 1);
    pub.send(ack<pubrel>(5));
    CHECK(pub.one<pubcomp>().packet_id == 5);
    // After PUBCOMP the identifier names a new message.
    pub.publish_msg("t", "second", qos::exactly_once, 5);
    CHECK(pub.one<pubrec>().packet_id == 5);
    const std::vector<publish> got = sub.publishes();
    REQUIRE(got.size() == 1);
    CHECK(text(got[0].payload) == "second");
  }
}

TEST_CASE("PUBREL for an unknown identifier is still completed (5.0: 0x92)") {
  for (const protocol_version v : all_versions) {
    CAPTURE(name(v));
    millis now{0};
    broker b;
    test_client c(b, now);
    c.connect(v, "c");
    c.send(ack<pubrel>(9));
    const pubcomp comp = c.one<pubcomp>();
    CHECK(comp.packet_id == 9);
    CHECK(comp.reason_code == (v == protocol_version::v5 ? 0x92 : 0));
  }
}

TEST_CASE("wildcard subscriptions route, and # in the first level never sees $ topics [3.1.1 MQTT-4.7.2-1] [5.0 MQTT-4.7.2-1]") {
  millis now{0};
  broker b;
  test_client pub(b, now), all(b, now), sys(b, now);
  pub.connect(protocol_version::v3_1_1, "pub");
  all.connect(protocol_version::v3_1_1, "all");
  sys.connect(protocol_version::v3_1_1, "sys");
  all.subscribe("#", qos::at_most_once);
  sys.subscribe("$SYS/#", qos::at_most_once);
  pub.publish_msg("$SYS/load", "1", qos::at_most_once);
  pub.publish_msg("a/b", "2", qos::at_most_once);
  const std::vector<publish> a = all.publishes();
  REQUIRE(a.size() == 1);
  CHECK(a[0].topic == "a/b");
  const std::vector<publish> s = sys.publishes();
  REQUIRE(s.size() == 1);
  CHECK(s[0].topic == "$SYS/load");
}

TEST_CASE("overlapping subscriptions deliver one copy at the highest granted QoS [5.0 MQTT-3.3.4-2]") {
  for (const protocol_version v : all_versions) {
    CAPTURE(name(v));
    millis now{0};
    broker b;
    test_client pub(b, now), sub(b, now);
    pub.connect(v, "pub");
    sub.connect(v, "sub");
    sub.subscribe("a/#", qos::at_most_once, 1);
    sub.subscribe("a/+", qos::at_least_once, 2);
    pub.publish_msg("a/b", "x", qos::exactly_once, 3);
    const std::vector<publish> got = sub.publishes();
    REQUIRE(got.size() == 1);
    CHECK(got[0].qos == qos::at_least_once);
  }
}

TEST_CASE("UNSUBSCRIBE stops delivery and is acknowledged (5.0: 0x00 or 0x11 per filter)") {
  for (const protocol_version v : all_versions) {
    CAPTURE(name(v));
    millis now{0};
    broker b;
    test_client pub(b, now), sub(b, now);
    pub.connect(v, "pub");
    sub.connect(v, "sub");
    sub.subscribe("a", qos::at_most_once);
    unsubscribe u;
    u.packet_id = 4;
    const std::string_view filters[] = {"a", "never"};
    u.topic_filters = filters;
    sub.send(u);
    const unsuback a = sub.one<unsuback>();
    CHECK(a.packet_id == 4);
    if (v == protocol_version::v5) {
      CHECK(std::vector<std::uint8_t>(a.reason_codes.begin(), a.reason_codes.end()) == std::vector<std::uint8_t>{0x00, 0x11});
    } else {
      CHECK(a.reason_codes.empty());
    }
    pub.publish_msg("a", "x", qos::at_most_once);
    CHECK(sub.pull().empty());
    CHECK(b.subscriptions().size() == 0);
  }
}

TEST_CASE("PINGREQ is answered with PINGRESP at every level") {
  for (const protocol_version v : all_versions) {
    CAPTURE(name(v));
    millis now{0};
    broker b;
    test_client c(b, now);
    c.connect(v, "c", 10);
    c.send(pingreq{});
    c.one<pingresp>();
  }
}

TEST_CASE("SUBACK grants the requested QoS for each filter of one SUBSCRIBE [5.0 MQTT-3.8.4-5]") {
  for (const protocol_version v : all_versions) {
    CAPTURE(name(v));
    millis now{0};
    broker b;
    test_client c(b, now);
    c.connect(v, "c");
    subscribe s;
    s.packet_id = 3;
    const subscription subs[] = {sub("a", qos::exactly_once), sub("b/+", qos::at_most_once), sub("c/#", qos::at_least_once)};
    s.subscriptions = subs;
    c.send(s);
    const suback a = c.one<suback>();
    CHECK(std::vector<std::uint8_t>(a.reason_codes.begin(), a.reason_codes.end()) == std::vector<std::uint8_t>{2, 0, 1});
    CHECK(b.subscriptions().size() == 3);
  }
}

}  // TEST_SUITE
