// Byte-exact vectors for MQTT 5.0 SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK (OASIS MQTT 5.0
// §3.8 - §3.11), written from the standard: subscription options, a subscription identifier and
// every Subscribe and Unsubscribe reason code.
#include "vector_checks.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

TEST_SUITE("codec v5") {

// 3.8 SUBSCRIBE

TEST_CASE("SUBSCRIBE with one filter and no properties is 9 bytes [MQTT-3.8.1-1]") {
  const auto wire = hex("82 07"           // SUBSCRIBE, flags 0010, remaining length 7
                        "00 01"           // packet id 1
                        "00"              // property length 0
                        "00 01 63"        // filter "c"
                        "00");            // options: QoS 0
  const subscription subs[] = {{"c"}};
  subscribe expected;
  expected.packet_id = 1;
  expected.subscriptions = subs;
  const subscribe got = round_trips(wire, v5, expected);
  CHECK(got.packet_id == 1);
  CHECK(got.props.empty());
  CHECK(got.subscriptions.size() == 1);
  CHECK_FALSE(got.dup);
}

TEST_CASE("SUBSCRIBE with a subscription identifier and four filters encodes every subscription option") {
  const auto wire = hex("82 2a"                        // SUBSCRIBE, flags 0010, remaining length 42
                        "00 0a"                        // packet id 10
                        "0a"                           // property length 10
                        "0b ac02"                      // subscription identifier 300
                        "26 0001 6b 0001 76"           // user property "k" = "v"
                        "00 03 612f2b 01"              // filter "a/+", options: QoS 1
                        "00 03 622f23 1e"              // filter "b/#", options: QoS 2, no local, retain as published, retain handling 1
                        "00 01 63 20"                  // filter "c", options: QoS 0, retain handling 2
                        "00 0a 2473686172652f672f64 09");  // filter "$share/g/d", options: QoS 1, retain as published
  const std::uint32_t sub_id[] = {300};
  const user_property ups[] = {{"k", "v"}};
  const subscription subs[] = {
      {"a/+", qos::at_least_once, false, false, 0},
      {"b/#", qos::exactly_once, true, true, 1},
      {"c", qos::at_most_once, false, false, 2},
      {"$share/g/d", qos::at_least_once, false, true, 0},
  };
  subscribe expected;
  expected.packet_id = 10;
  expected.props.set_subscription_identifiers(sub_id);
  expected.props.set_user_properties(ups);
  expected.subscriptions = subs;
  const subscribe got = round_trips(wire, v5, expected);
  CHECK(got.packet_id == 10);
  CHECK(items(got.props.subscription_identifiers()) == std::vector<std::uint32_t>{300});
  CHECK(items(got.props.user_properties()) == std::vector<user_property>{{"k", "v"}});
  const auto list = items(got.subscriptions);
  REQUIRE(list.size() == 4);
  CHECK(list[0].topic_filter == "a/+");
  CHECK(list[0].max_qos == qos::at_least_once);
  CHECK(list[1].topic_filter == "b/#");
  CHECK(list[1].max_qos == qos::exactly_once);
  CHECK(list[1].no_local);
  CHECK(list[1].retain_as_published);
  CHECK(list[1].retain_handling == 1);
  CHECK(list[2].retain_handling == 2);
  CHECK_FALSE(list[2].no_local);
  CHECK(list[3].topic_filter == "$share/g/d");
  CHECK(list[3].retain_as_published);
  CHECK_FALSE(list[3].no_local);
}

// 3.9 SUBACK

TEST_CASE("SUBACK carries every Subscribe reason code in filter order [MQTT-3.9.3-2]") {
  const auto wire = hex("90 0f"           // SUBACK, remaining length 15
                        "00 0a"           // packet id 10
                        "00"              // property length 0
                        "00 01 02"        // granted QoS 0, 1, 2
                        "80 83 87"        // unspecified error, implementation specific error, not authorized
                        "8f 91 97"        // topic filter invalid, packet identifier in use, quota exceeded
                        "9e a1 a2");      // shared / subscription identifiers / wildcards not supported
  static const std::uint8_t codes[] = {0x00, 0x01, 0x02, 0x80, 0x83, 0x87,
                                       0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2};
  suback expected;
  expected.packet_id = 10;
  expected.reason_codes = binary(codes, sizeof codes);
  const suback got = round_trips(wire, v5, expected);
  CHECK(got.packet_id == 10);
  CHECK(got.props.empty());
  CHECK(got.reason_codes == binary(codes, sizeof codes));
}

TEST_CASE("SUBACK with a reason string and a user property puts them before the codes") {
  const auto wire = hex("90 10"                 // SUBACK, remaining length 16
                        "00 0a"                 // packet id 10
                        "0c"                    // property length 12
                        "1f 0002 6f6b"          // reason string "ok"
                        "26 0001 6b 0001 76"    // user property "k" = "v"
                        "01");                  // granted QoS 1
  static const std::uint8_t codes[] = {0x01};
  const user_property ups[] = {{"k", "v"}};
  suback expected;
  expected.packet_id = 10;
  expected.props.set_reason_string("ok");
  expected.props.set_user_properties(ups);
  expected.reason_codes = binary(codes, 1);
  const suback got = round_trips(wire, v5, expected);
  CHECK(got.props.reason_string() == std::optional<std::string_view>("ok"));
  CHECK(got.reason_codes.size() == 1);
}

// 3.10 UNSUBSCRIBE

TEST_CASE("UNSUBSCRIBE with one filter and no properties is 8 bytes [MQTT-3.10.1-1]") {
  const auto wire = hex("a2 06"           // UNSUBSCRIBE, flags 0010, remaining length 6
                        "00 0b"           // packet id 11
                        "00"              // property length 0
                        "00 01 63");      // filter "c"
  const std::string_view filters[] = {"c"};
  unsubscribe expected;
  expected.packet_id = 11;
  expected.topic_filters = filters;
  const unsubscribe got = round_trips(wire, v5, expected);
  CHECK(got.packet_id == 11);
  CHECK(items(got.topic_filters) == std::vector<std::string_view>{"c"});
  CHECK_FALSE(got.dup);
}

TEST_CASE("UNSUBSCRIBE with a user property lists its filters after the properties") {
  const auto wire = hex("a2 14"                 // UNSUBSCRIBE, flags 0010, remaining length 20
                        "00 0b"                 // packet id 11
                        "07"                    // property length 7
                        "26 0001 6b 0001 76"    // user property "k" = "v"
                        "00 03 612f2b"          // filter "a/+"
                        "00 03 622f23");        // filter "b/#"
  const std::string_view filters[] = {"a/+", "b/#"};
  const user_property ups[] = {{"k", "v"}};
  unsubscribe expected;
  expected.packet_id = 11;
  expected.props.set_user_properties(ups);
  expected.topic_filters = filters;
  const unsubscribe got = round_trips(wire, v5, expected);
  CHECK(items(got.topic_filters) == std::vector<std::string_view>{"a/+", "b/#"});
  CHECK(items(got.props.user_properties()) == std::vector<user_property>{{"k", "v"}});
}

// 3.11 UNSUBACK

TEST_CASE("UNSUBACK carries every Unsubscribe reason code in filter order [MQTT-3.11.3-2]") {
  const auto wire = hex("b0 0a"           // UNSUBACK, remaining length 10
                        "00 0b"           // packet id 11
                        "00"              // property length 0
                        "00 11"           // success, no subscription existed
                        "80 83 87"        // unspecified error, implementation specific error, not authorized
                        "8f 91");         // topic filter invalid, packet identifier in use
  static const std::uint8_t codes[] = {0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91};
  unsuback expected;
  expected.packet_id = 11;
  expected.reason_codes = binary(codes, sizeof codes);
  const unsuback got = round_trips(wire, v5, expected);
  CHECK(got.packet_id == 11);
  CHECK(got.reason_codes == binary(codes, sizeof codes));
}

TEST_CASE("UNSUBACK with a reason string and a user property puts them before the codes") {
  const auto wire = hex("b0 11"                 // UNSUBACK, remaining length 17
                        "00 0b"                 // packet id 11
                        "0c"                    // property length 12
                        "1f 0002 6f6b"          // reason string "ok"
                        "26 0001 6b 0001 76"    // user property "k" = "v"
                        "00 11");               // success, no subscription existed
  static const std::uint8_t codes[] = {0x00, 0x11};
  const user_property ups[] = {{"k", "v"}};
  unsuback expected;
  expected.packet_id = 11;
  expected.props.set_reason_string("ok");
  expected.props.set_user_properties(ups);
  expected.reason_codes = binary(codes, 2);
  const unsuback got = round_trips(wire, v5, expected);
  CHECK(got.props.reason_string() == std::optional<std::string_view>("ok"));
  CHECK(got.reason_codes == binary(codes, 2));
}

}  // TEST_SUITE
