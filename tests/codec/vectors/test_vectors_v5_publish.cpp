// Byte-exact vectors for MQTT 5.0 PUBLISH (OASIS MQTT 5.0 §3.3), written from the standard:
// every QoS and flag, every PUBLISH property, repeats kept in order, long length fields.
#include "vector_checks.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

TEST_SUITE("codec v5") {

TEST_CASE("PUBLISH at QoS 0 has no packet id and a property length of 0 [MQTT-2.2.1-2]") {
  const auto wire = hex("30 0b"           // PUBLISH QoS 0, remaining length 11
                        "00 03 612f62"    // topic "a/b"
                        "00"              // property length 0
                        "68656c6c6f");    // payload "hello"
  publish expected;
  expected.topic = "a/b";
  expected.payload = bin("hello");
  const publish got = round_trips(wire, v5, expected);
  CHECK(got.qos == qos::at_most_once);
  CHECK(got.packet_id == 0);
  CHECK(got.topic == "a/b");
  CHECK(got.props.empty());
  CHECK(got.payload.as_string() == "hello");
}

TEST_CASE("PUBLISH with every PUBLISH property keeps repeated subscription ids and user properties in order") {
  const auto wire = hex("32 62"                                      // PUBLISH QoS 1, remaining length 98
                        "00 12 73656e736f72732f726f6f6d312f74656d70" // topic "sensors/room1/temp"
                        "00 2a"                                      // packet id 42
                        "46"                                         // property length 70
                        "01 01"                                      // payload format indicator 1: UTF-8
                        "02 0000003c"                                // message expiry interval 60 s
                        "03 000a 746578742f706c61696e"               // content type "text/plain"
                        "08 0006 726573702f74"                       // response topic "resp/t"
                        "09 0004 636f7272"                           // correlation data "corr"
                        "0b 01"                                      // subscription identifier 1
                        "0b c8 01"                                   // subscription identifier 200
                        "0b ffffff7f"                                // subscription identifier 268435455
                        "23 0007"                                    // topic alias 7
                        "26 0001 6b 0001 31"                         // user property "k" = "1"
                        "26 0001 6e 0001 78"                         // user property "n" = "x"
                        "26 0001 6b 0001 32"                         // user property "k" = "2"
                        "68656c6c6f");                               // payload "hello"
  const std::uint32_t sub_ids[] = {1, 200, 268435455};
  const user_property ups[] = {{"k", "1"}, {"n", "x"}, {"k", "2"}};
  publish expected;
  expected.qos = qos::at_least_once;
  expected.topic = "sensors/room1/temp";
  expected.packet_id = 42;
  expected.props.set_payload_format_indicator(true);
  expected.props.set_message_expiry_interval(60);
  expected.props.set_content_type("text/plain");
  expected.props.set_response_topic("resp/t");
  expected.props.set_correlation_data(bin("corr"));
  expected.props.set_subscription_identifiers(sub_ids);
  expected.props.set_topic_alias(7);
  expected.props.set_user_properties(ups);
  expected.payload = bin("hello");
  const publish got = round_trips(wire, v5, expected);
  CHECK(got.packet_id == 42);
  CHECK(got.topic == "sensors/room1/temp");
  CHECK(got.props.payload_format_indicator() == true);
  CHECK(got.props.message_expiry_interval() == 60u);
  CHECK(got.props.content_type() == std::optional<std::string_view>("text/plain"));
  CHECK(got.props.response_topic() == std::optional<std::string_view>("resp/t"));
  CHECK(got.props.correlation_data() == std::optional<binary>(bin("corr")));
  CHECK(items(got.props.subscription_identifiers()) == std::vector<std::uint32_t>{1, 200, 268435455});
  CHECK(got.props.topic_alias() == 7);
  CHECK(items(got.props.user_properties()) ==
        std::vector<user_property>{{"k", "1"}, {"n", "x"}, {"k", "2"}});
  CHECK(got.payload.as_string() == "hello");
}

TEST_CASE("PUBLISH at QoS 2 with dup and retain has first byte 3d and a property length") {
  const auto wire = hex("3d 0d"           // PUBLISH DUP, QoS 2, RETAIN; remaining length 13
                        "00 03 612f62"    // topic "a/b"
                        "00 05"           // packet id 5
                        "00"              // property length 0
                        "68656c6c6f");    // payload "hello"
  publish expected;
  expected.dup = true;
  expected.qos = qos::exactly_once;
  expected.retain = true;
  expected.topic = "a/b";
  expected.packet_id = 5;
  expected.payload = bin("hello");
  const publish got = round_trips(wire, v5, expected);
  CHECK(got.dup);
  CHECK(got.qos == qos::exactly_once);
  CHECK(got.retain);
  CHECK(got.packet_id == 5);
}

TEST_CASE("PUBLISH at QoS 1 with retain may have an empty payload [V5-U35]") {
  const auto wire = hex("33 08"           // PUBLISH QoS 1 RETAIN, remaining length 8
                        "00 03 612f62"    // topic "a/b"
                        "00 01"           // packet id 1
                        "00");            // property length 0; payload empty
  publish expected;
  expected.qos = qos::at_least_once;
  expected.retain = true;
  expected.topic = "a/b";
  expected.packet_id = 1;
  const publish got = round_trips(wire, v5, expected);
  CHECK(got.retain);
  CHECK(got.payload.empty());
}

TEST_CASE("PUBLISH may have an empty topic name when it carries a topic alias") {
  const auto wire = hex("30 0b"           // PUBLISH QoS 0, remaining length 11
                        "00 00"           // topic "" (the alias stands for it)
                        "03"              // property length 3
                        "23 0005"         // topic alias 5
                        "68656c6c6f");    // payload "hello"
  publish expected;
  expected.props.set_topic_alias(5);
  expected.payload = bin("hello");
  const publish got = round_trips(wire, v5, expected);
  CHECK(got.topic.empty());
  CHECK(got.props.topic_alias() == 5);
}

TEST_CASE("PUBLISH with 130 property bytes has two byte property and remaining lengths [MQTT-1.5.5-1]") {
  const auto wire = concat({hex("30 89 01"        // PUBLISH QoS 0, remaining length 137
                                "00 03 612f62"    // topic "a/b"
                                "82 01"           // property length 130
                                "26 0001 6b"      // user property name "k"
                                "00 7c"),         // ... value of 124 bytes:
                            std::vector<std::uint8_t>(124, 'v')});  // "vvv...v"; payload empty
  const std::string value(124, 'v');
  const user_property ups[] = {{"k", value}};
  publish expected;
  expected.topic = "a/b";
  expected.props.set_user_properties(ups);
  const publish got = round_trips(wire, v5, expected);
  REQUIRE(got.props.user_properties().size() == 1);
  CHECK(got.props.user_properties().front().value == value);
  CHECK(got.payload.empty());
}

TEST_CASE("PUBLISH of 20006 body bytes has a three byte remaining length [MQTT-1.5.5-1]") {
  const auto wire = concat({hex("30 a6 9c 01"     // PUBLISH QoS 0, remaining length 20006
                                "00 03 612f62"    // topic "a/b"
                                "00"),            // property length 0
                            std::vector<std::uint8_t>(20000, 'p')});  // payload: 20000 x "p"
  const std::string payload(20000, 'p');
  publish expected;
  expected.topic = "a/b";
  expected.payload = bin(payload);
  // Both directions only: splitting 20 kB at every point would take too long here.
  const publish got = decodes_to(wire, v5, expected);
  CHECK(got.payload.size() == 20000);
  encodes_to(expected, v5, wire);
}

TEST_CASE("PUBLISH properties in any order decode the same and each repeated kind keeps its order") {
  // Decode only: the encoder writes ascending ids, so this re-encodes as `canonical`.
  const auto wire = hex("30 19"                 // PUBLISH QoS 0, remaining length 25
                        "00 03 612f62"          // topic "a/b"
                        "12"                    // property length 18
                        "26 0001 6b 0001 31"    // user property "k" = "1"
                        "0b 05"                 // subscription identifier 5
                        "26 0001 6b 0001 32"    // user property "k" = "2"
                        "0b 03"                 // subscription identifier 3
                        "78");                  // payload "x"
  const auto canonical = hex("30 19 0003 612f62 12"
                             "0b 05"                 // subscription identifier 5
                             "0b 03"                 // subscription identifier 3
                             "26 0001 6b 0001 31"    // user property "k" = "1"
                             "26 0001 6b 0001 32"    // user property "k" = "2"
                             "78");                  // payload "x"
  const std::uint32_t sub_ids[] = {5, 3};
  const user_property ups[] = {{"k", "1"}, {"k", "2"}};
  publish expected;
  expected.topic = "a/b";
  expected.props.set_subscription_identifiers(sub_ids);
  expected.props.set_user_properties(ups);
  expected.payload = bin("x");
  const publish got = decodes_to(wire, v5, expected);
  CHECK(items(got.props.subscription_identifiers()) == std::vector<std::uint32_t>{5, 3});
  CHECK(items(got.props.user_properties()) == std::vector<user_property>{{"k", "1"}, {"k", "2"}});
  stream_gives(wire, v5, 1);
  round_trips(canonical, v5, expected);
}

}  // TEST_SUITE
