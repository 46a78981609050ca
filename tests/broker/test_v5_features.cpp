// MQTT 5.0 in the broker: forwarded properties, subscription options, topic aliases,
// Subscription Identifiers, Receive Maximum, Maximum Packet Size, message expiry.
#include "broker_harness.hpp"

using namespace mqttbroker;
using namespace mqttbroker::test;

namespace {

constexpr protocol_version v5 = protocol_version::v5;

subscription opts(std::string_view filter, qos q, bool no_local, bool rap, std::uint8_t rh) {
  subscription s = sub(filter, q);
  s.no_local = no_local;
  s.retain_as_published = rap;
  s.retain_handling = rh;
  return s;
}

}  // namespace

TEST_SUITE("broker v5") {

TEST_CASE("PUBLISH properties are forwarded unchanged, user properties in order [5.0 MQTT-3.3.2-4] [5.0 MQTT-3.3.2-15] [5.0 MQTT-3.3.2-16] [5.0 MQTT-3.3.2-17] [5.0 MQTT-3.3.2-18] [5.0 MQTT-3.3.2-20]") {
  millis now{0};
  broker b;
  test_client pub(b, now), sub5(b, now), sub3(b, now);
  pub.connect(v5, "pub");
  sub5.connect(v5, "sub5");
  sub3.connect(protocol_version::v3_1_1, "sub3");
  sub5.subscribe("req/#", qos::at_least_once);
  sub3.subscribe("req/#", qos::at_least_once);
  const user_property ups[] = {{"b", "2"}, {"a", "1"}, {"b", "3"}};
  const std::uint8_t corr[] = {0xDE, 0xAD, 0x00, 0xBE};
  publish p;
  p.topic = "req/x";
  p.payload = binary(std::string_view("{\"q\":1}"));
  p.qos = qos::at_least_once;
  p.packet_id = 1;
  p.props.set_user_properties(ups).set_content_type("application/json").set_response_topic("resp/x")
      .set_correlation_data(binary(corr, sizeof corr)).set_payload_format_indicator(true).set_message_expiry_interval(60);
  pub.send(p);
  const std::vector<publish> got = sub5.publishes();
  REQUIRE(got.size() == 1);
  const properties& f = got[0].props;
  CHECK(f.user_properties() == wire_list<user_property>(ups));
  CHECK(f.content_type() == "application/json");
  CHECK(f.response_topic() == "resp/x");
  CHECK(f.correlation_data() == binary(corr, sizeof corr));
  CHECK(f.payload_format_indicator() == true);
  CHECK(f.message_expiry_interval() == 60u);  // routed at once: nothing waited
  CHECK_FALSE(f.topic_alias().has_value());
  // A 3.1.1 subscriber gets the same message without properties.
  const std::vector<publish> got3 = sub3.publishes();
  REQUIRE(got3.size() == 1);
  CHECK(got3[0].props.empty());
  CHECK(text(got3[0].payload) == "{\"q\":1}");
}

TEST_CASE("No Local keeps a client's own messages from it [5.0 MQTT-3.8.3-3]") {
  millis now{0};
  broker b;
  test_client me(b, now), other(b, now);
  me.connect(v5, "me");
  other.connect(v5, "other");
  me.subscribe(opts("chat", qos::at_most_once, true, false, 0));
  other.subscribe(opts("chat", qos::at_most_once, true, false, 0));
  me.publish_msg("chat", "hello", qos::at_most_once);
  CHECK(me.pull().empty());
  CHECK(other.publishes().size() == 1);
}

TEST_CASE("Retain As Published keeps RETAIN on forwarded messages, otherwise it is 0 [5.0 MQTT-3.3.1-12] [5.0 MQTT-3.3.1-13]") {
  millis now{0};
  broker b;
  test_client pub(b, now), keep(b, now), clear(b, now);
  pub.connect(v5, "pub");
  keep.connect(v5, "keep");
  clear.connect(v5, "clear");
  keep.subscribe(opts("t", qos::at_most_once, false, true, 0));
  clear.subscribe(opts("t", qos::at_most_once, false, false, 0));
  pub.publish_msg("t", "r", qos::at_most_once, 0, true);
  const std::vector<publish> k = keep.publishes();
  const std::vector<publish> c = clear.publishes();
  REQUIRE(k.size() == 1);
  REQUIRE(c.size() == 1);
  CHECK(k[0].retain);
  CHECK_FALSE(c[0].retain);
}

TEST_CASE("Retain Handling 0 sends retained messages on every SUBSCRIBE, 1 only for a new subscription, 2 never [5.0 MQTT-3.3.1-9] [5.0 MQTT-3.3.1-10] [5.0 MQTT-3.3.1-11]") {
  millis now{0};
  broker b;
  test_client pub(b, now), s(b, now);
  pub.connect(v5, "pub");
  s.connect(v5, "s");
  pub.publish_msg("r/x", "kept", qos::at_most_once, 0, true);
  s.subscribe(opts("r/#", qos::at_most_once, false, false, 0));
  CHECK(s.after_suback().size() == 1);
  s.subscribe(opts("r/#", qos::at_most_once, false, false, 0));
  CHECK(s.after_suback().size() == 1);  // 0: again on a repeated SUBSCRIBE
  s.subscribe(opts("r/+", qos::at_most_once, false, false, 1));
  CHECK(s.after_suback().size() == 1);  // 1: the subscription is new
  s.subscribe(opts("r/+", qos::at_most_once, false, false, 1));
  CHECK(s.after_suback().empty());      // 1: it existed
  s.subscribe(opts("r/x", qos::at_most_once, false, false, 2));
  CHECK(s.after_suback().empty());      // 2: never
}

TEST_CASE("topic aliases from the client are resolved, and an unset alias is a protocol error [5.0 MQTT-3.3.2-12]") {
  millis now{0};
  broker b;
  test_client pub(b, now), sub5(b, now);
  const connack a = pub.connect(v5, "pub");
  REQUIRE(a.props.topic_alias_maximum().has_value());
  CHECK(*a.props.topic_alias_maximum() > 0);
  sub5.connect(v5, "sub");
  sub5.subscribe("long/topic/name", qos::at_most_once);
  publish p;
  p.topic = "long/topic/name";
  p.payload = binary(std::string_view("1"));
  p.props.set_topic_alias(3);
  pub.send(p);
  p.topic = "";
  p.payload = binary(std::string_view("2"));
  pub.send(p);
  const std::vector<publish> got = sub5.publishes();
  REQUIRE(got.size() == 2);
  CHECK(got[1].topic == "long/topic/name");
  CHECK(text(got[1].payload) == "2");
  p.props.set_topic_alias(4);  // never set
  pub.send(p);
  CHECK(pub.one<disconnect>().reason_code == reason::protocol_error);
  CHECK(pub.s().closing);
}

TEST_CASE("deliveries carry the Subscription Identifiers of every matching subscription [5.0 MQTT-3.3.4-3] [5.0 MQTT-3.3.4-4]") {
  millis now{0};
  broker b;
  test_client pub(b, now), s(b, now);
  pub.connect(v5, "pub");
  s.connect(v5, "s");
  s.subscribe(sub("a/#", qos::at_most_once), 1, 11);
  s.subscribe(sub("a/+", qos::at_most_once), 2, 22);
  s.subscribe(sub("a/b", qos::at_most_once), 3);
  pub.publish_msg("a/b", "x", qos::at_most_once);
  const std::vector<publish> got = s.publishes();
  REQUIRE(got.size() == 1);
  std::vector<std::uint32_t> ids;
  for (const std::uint32_t id : got[0].props.subscription_identifiers()) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<std::uint32_t>{11, 22});
}

TEST_CASE("at most Receive Maximum QoS 1 and 2 messages are in flight; the rest wait their turn in order [5.0 MQTT-3.3.4-9]") {
  millis now{0};
  broker b;
  test_client pub(b, now), slow(b, now);
  pub.connect(v5, "pub");
  properties rm;
  rm.set_receive_maximum(2);
  slow.connect(v5, "slow", 0, std::nullopt, rm);
  slow.subscribe("q", qos::exactly_once);
  for (int i = 0; i < 5; ++i) pub.publish_msg("q", std::to_string(i), i % 2 ? qos::at_least_once : qos::exactly_once, static_cast<std::uint16_t>(i + 1));
  std::vector<publish> got = slow.publishes();
  REQUIRE(got.size() == 2);
  CHECK(slow.s().pending() == 3);
  std::vector<std::string> seen;
  while (!got.empty()) {
    for (const publish& p : got) {
      seen.push_back(text(p.payload));
      if (p.qos == qos::at_least_once) {
        slow.send(ack<puback>(p.packet_id));
      } else {
        slow.send(ack<pubrec>(p.packet_id));
      }
    }
    got.clear();
    for (const packet& p : slow.pull()) {
      if (const auto* rel = std::get_if<pubrel>(&p)) {
        slow.send(ack<pubcomp>(rel->packet_id));
      } else {
        got.push_back(std::get<publish>(p));
      }
    }
    for (const packet& p : slow.pull()) got.push_back(std::get<publish>(p));
    CHECK(got.size() <= 2);
  }
  CHECK(seen == std::vector<std::string>{"0", "1", "2", "3", "4"});
  CHECK(slow.s().inflight() == 0);
  CHECK(slow.s().pending() == 0);
}

TEST_CASE("a queued message's expiry counts the time it waited, and an expired one is dropped [5.0 MQTT-3.3.2-5] [5.0 MQTT-3.3.2-6]") {
  millis now{0};
  broker b;
  test_client pub(b, now), slow(b, now);
  pub.connect(v5, "pub");
  properties rm;
  rm.set_receive_maximum(1);
  slow.connect(v5, "slow", 0, std::nullopt, rm);
  slow.subscribe("q", qos::at_least_once);
  publish p;
  p.topic = "q";
  p.qos = qos::at_least_once;
  p.payload = binary(std::string_view("first"));
  p.packet_id = 1;
  pub.send(p);
  p.payload = binary(std::string_view("waits"));
  p.packet_id = 2;
  p.props.set_message_expiry_interval(10);
  pub.send(p);
  p.payload = binary(std::string_view("expires"));
  p.packet_id = 3;
  p.props.set_message_expiry_interval(2);
  pub.send(p);
  std::vector<publish> got = slow.publishes();
  REQUIRE(got.size() == 1);
  now = millis(3000);
  slow.send(ack<puback>(got[0].packet_id));
  got = slow.publishes();
  REQUIRE(got.size() == 1);
  CHECK(text(got[0].payload) == "waits");
  CHECK(got[0].props.message_expiry_interval() == 7u);
  slow.send(ack<puback>(got[0].packet_id));
  CHECK(slow.pull().empty());  // "expires" had 2 s and waited 3
  CHECK(b.stats().dropped == 1);
}

TEST_CASE("a message larger than the client's Maximum Packet Size is dropped for it alone [5.0 MQTT-3.1.2-24] [5.0 MQTT-3.1.2-25]") {
  millis now{0};
  broker b;
  test_client pub(b, now), small(b, now, 64), big(b, now);
  pub.connect(v5, "pub");
  properties mps;
  mps.set_maximum_packet_size(64);
  small.connect(v5, "small", 0, std::nullopt, mps);
  big.connect(v5, "big");
  small.subscribe("t", qos::at_least_once);
  big.subscribe("t", qos::at_least_once);
  const std::string large(100, 'x');
  pub.publish_msg("t", large, qos::at_least_once, 1);
  pub.publish_msg("t", "small", qos::at_least_once, 2);
  const std::vector<publish> s = small.publishes();
  REQUIRE(s.size() == 1);
  CHECK(text(s[0].payload) == "small");
  CHECK(small.s().inflight() == 1);  // the dropped one holds no identifier
  CHECK(big.publishes().size() == 2);
}

TEST_CASE("a QoS 1 or 2 PUBLISH nobody subscribed to is acknowledged with 0x10") {
  millis now{0};
  broker b;
  test_client pub(b, now);
  pub.connect(v5, "pub");
  pub.publish_msg("nobody", "x", qos::at_least_once, 1);
  CHECK(pub.one<puback>().reason_code == reason::no_matching_subscribers);
  pub.publish_msg("nobody", "x", qos::exactly_once, 2);
  CHECK(pub.one<pubrec>().reason_code == reason::no_matching_subscribers);
}

TEST_CASE("CONNACK: Session Expiry answered with 0, shared subscriptions unavailable, limits told") {
  millis now{0};
  broker b;
  test_client c(b, now);
  properties p;
  p.set_session_expiry_interval(3600);
  const connack a = c.connect(v5, "c", 0, std::nullopt, p);
  CHECK(a.props.session_expiry_interval() == 0u);
  CHECK(a.props.shared_subscription_available() == false);
  CHECK(a.props.maximum_packet_size().has_value());
  CHECK_FALSE(a.session_present);
}

TEST_CASE("CONNECT with an Authentication Method is refused with 0x8C") {
  millis now{0};
  broker b;
  test_client c(b, now);
  properties p;
  p.set_authentication_method("SCRAM-SHA-1");
  const connack a = c.connect(v5, "c", 0, std::nullopt, p);
  CHECK(a.reason_code == reason::bad_authentication_method);
  CHECK(c.s().closing);
}

}  // TEST_SUITE
