// The retained store: replace, delete on an empty payload, lookup by filter, expiry.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "retained.hpp"

using namespace mqttbroker;
using mqttconn::binary;

namespace {

message_view msg(std::string_view topic, std::string_view payload, mqttconn::qos q = mqttconn::qos::at_most_once) {
  message_view m;
  m.topic = topic;
  m.payload = binary(payload);
  m.qos = q;
  m.retain = true;
  return m;
}

std::vector<std::string> topics(retained_store& r, std::string_view filter, millis now = millis(0)) {
  std::vector<std::string> out;
  r.for_each_match(filter, now, [&](const std::shared_ptr<const stored_message>& m) { out.push_back(m->topic()); });
  return out;
}

}  // namespace

TEST_SUITE("broker retained") {

TEST_CASE("a retained message replaces the topic's previous one [3.1.1 MQTT-3.3.1-5] [5.0 MQTT-3.3.1-5]") {
  retained_store r;
  r.put(msg("a/b", "one", mqttconn::qos::at_least_once), millis(0));
  r.put(msg("a/b", "two"), millis(0));
  CHECK(r.size() == 1);
  const stored_message* m = r.find("a/b");
  REQUIRE(m != nullptr);
  std::vector<mqttconn::user_property> users;
  const message_view v = m->view(millis(0), users);
  CHECK(v.payload.as_string() == "two");
  CHECK(v.qos == mqttconn::qos::at_most_once);
  CHECK(v.retain);
}

TEST_CASE("an empty retained payload deletes the topic's message and is not stored [3.1.1 MQTT-3.3.1-10] [3.1.1 MQTT-3.3.1-11] [5.0 MQTT-3.3.1-6] [5.0 MQTT-3.3.1-7]") {
  retained_store r;
  r.put(msg("a/b", "one"), millis(0));
  r.put(msg("a/c", "two"), millis(0));
  r.put(msg("a/b", ""), millis(0));
  CHECK(r.find("a/b") == nullptr);
  CHECK(r.size() == 1);
  r.put(msg("never/stored", ""), millis(0));
  CHECK(r.size() == 1);
}

TEST_CASE("lookup by filter returns every matching topic and no other") {
  retained_store r;
  for (const char* t : {"a", "a/b", "a/b/c", "a/x/c", "b", "$SYS/up"}) r.put(msg(t, "p"), millis(0));
  CHECK(topics(r, "a/b") == std::vector<std::string>{"a/b"});
  CHECK(topics(r, "a/#") == std::vector<std::string>{"a", "a/b", "a/b/c", "a/x/c"});
  CHECK(topics(r, "a/+/c") == std::vector<std::string>{"a/b/c", "a/x/c"});
  CHECK(topics(r, "#") == std::vector<std::string>{"a", "a/b", "a/b/c", "a/x/c", "b"});  // [MQTT-4.7.2-1]
  CHECK(topics(r, "$SYS/#") == std::vector<std::string>{"$SYS/up"});
  CHECK(topics(r, "c").empty());
}

TEST_CASE("a retained message is dropped once its Message Expiry Interval has passed [5.0 MQTT-3.3.2-5]") {
  retained_store r;
  message_view m = msg("a", "p");
  m.props.set_message_expiry_interval(10);
  r.put(m, millis(1000));
  r.put(msg("b", "forever"), millis(1000));
  SUBCASE("before expiry the interval left is what remains [5.0 MQTT-3.3.2-6]") {
    std::vector<mqttconn::user_property> users;
    const message_view v = r.find("a")->view(millis(4500), users);
    CHECK(v.props.message_expiry_interval() == 7u);  // 3.5 s waited: 6.5 s left, whole seconds
    CHECK(topics(r, "a", millis(10999)) == std::vector<std::string>{"a"});
  }
  SUBCASE("after expiry it is gone, by name or by wildcard") {
    CHECK(topics(r, "a", millis(11000)).empty());
    CHECK(r.find("a") == nullptr);
    r.put(m, millis(1000));
    CHECK(topics(r, "#", millis(20000)) == std::vector<std::string>{"b"});
    CHECK(r.size() == 1);
  }
}

TEST_CASE("stored messages keep the forwarded properties and their user properties in order [5.0 MQTT-3.3.2-18]") {
  const mqttconn::user_property ups[] = {{"k", "1"}, {"k", "2"}, {"a", "3"}};
  const std::uint8_t corr[] = {0, 1, 2};
  message_view m = msg("t", "p");
  m.props.set_user_properties(ups).set_content_type("text/plain").set_response_topic("reply/here")
      .set_correlation_data(binary(corr, 3)).set_payload_format_indicator(true);
  retained_store r;
  r.put(m, millis(0));
  std::vector<mqttconn::user_property> users;
  const message_view v = r.find("t")->view(millis(0), users);
  CHECK(v.props == m.props);
  CHECK_FALSE(v.props.message_expiry_interval().has_value());
}

}  // TEST_SUITE
