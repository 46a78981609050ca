// Byte-exact vectors for MQTT 5.0 CONNECT and CONNACK (OASIS MQTT 5.0 §3.1, §3.2), written
// from the standard: every CONNECT, Will and CONNACK property, decoded and encoded.
#include "vector_checks.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

TEST_SUITE("codec v5") {

// 3.1 CONNECT

TEST_CASE("CONNECT with no properties still has a property length of 0 [MQTT-2.2.2-1]") {
  const auto wire = hex("10 0f"           // CONNECT, remaining length 15
                        "00 04 4d515454"  // protocol name "MQTT"
                        "05"              // protocol version 5
                        "02"              // connect flags: clean start
                        "00 3c"           // keep alive 60 s
                        "00"              // property length 0
                        "00 02 6331");    // client id "c1"
  connect expected;
  expected.version = v5;
  expected.keep_alive = 60;
  expected.client_id = "c1";
  const connect got = round_trips(wire, v5, expected);
  CHECK(got.version == v5);
  CHECK_FALSE(got.bridge);
  CHECK(got.clean_start);
  CHECK(got.props.empty());
  CHECK(got.client_id == "c1");
}

TEST_CASE("CONNECT from a bridge sets bit 7 of the level 5 byte") {
  const auto wire = hex("10 0f"           // CONNECT, remaining length 15
                        "00 04 4d515454"  // protocol name "MQTT"
                        "85"              // protocol version 5 with the bridge bit 0x80
                        "02"              // connect flags: clean start
                        "00 3c"           // keep alive 60 s
                        "00"              // property length 0
                        "00 02 6331");    // client id "c1"
  connect expected;
  expected.version = v5;
  expected.bridge = true;
  expected.keep_alive = 60;
  expected.client_id = "c1";
  const connect got = round_trips(wire, v5, expected);
  CHECK(got.version == v5);
  CHECK(got.bridge);
}

TEST_CASE("CONNECT with every CONNECT property writes them in ascending id order") {
  const auto wire = hex("10 4c"                               // CONNECT, remaining length 76
                        "00 04 4d515454"                      // protocol name "MQTT"
                        "05"                                  // protocol version 5
                        "00"                                  // connect flags: none (no clean start)
                        "00 1e"                               // keep alive 30 s
                        "37"                                  // property length 55
                        "11 00000e10"                         // session expiry interval 3600 s
                        "15 000b 534352414d2d5348412d31"      // authentication method "SCRAM-SHA-1"
                        "16 0004 01020304"                    // authentication data 01 02 03 04
                        "17 00"                               // request problem information 0
                        "19 01"                               // request response information 1
                        "21 0014"                             // receive maximum 20
                        "22 000a"                             // topic alias maximum 10
                        "26 0001 6b 0001 76"                  // user property "k" = "v"
                        "26 0001 6b 0001 32"                  // user property "k" = "2" (name repeats)
                        "27 00010000"                         // maximum packet size 65536
                        "00 08 636c69656e742d31");            // client id "client-1"
  static const std::uint8_t auth_data[] = {1, 2, 3, 4};
  const user_property ups[] = {{"k", "v"}, {"k", "2"}};
  connect expected;
  expected.version = v5;
  expected.clean_start = false;
  expected.keep_alive = 30;
  expected.client_id = "client-1";
  expected.props.set_session_expiry_interval(3600);
  expected.props.set_authentication_method("SCRAM-SHA-1");
  expected.props.set_authentication_data(binary(auth_data, 4));
  expected.props.set_request_problem_information(false);
  expected.props.set_request_response_information(true);
  expected.props.set_receive_maximum(20);
  expected.props.set_topic_alias_maximum(10);
  expected.props.set_user_properties(ups);
  expected.props.set_maximum_packet_size(65536);
  const connect got = round_trips(wire, v5, expected);
  CHECK_FALSE(got.clean_start);
  CHECK(got.props.session_expiry_interval() == 3600u);
  CHECK(got.props.authentication_method() == std::optional<std::string_view>("SCRAM-SHA-1"));
  CHECK(got.props.authentication_data() == std::optional<binary>(binary(auth_data, 4)));
  CHECK(got.props.request_problem_information() == false);
  CHECK(got.props.request_response_information() == true);
  CHECK(got.props.receive_maximum() == 20);
  CHECK(got.props.topic_alias_maximum() == 10);
  CHECK(got.props.maximum_packet_size() == 65536u);
  CHECK(items(got.props.user_properties()) == std::vector<user_property>{{"k", "v"}, {"k", "2"}});
  CHECK(got.client_id == "client-1");
}

TEST_CASE("CONNECT with a will carrying every will property and user name and password [MQTT-3.1.3-1]") {
  const auto wire = hex("10 61"                               // CONNECT, remaining length 97
                        "00 04 4d515454"                      // protocol name "MQTT"
                        "05"                                  // protocol version 5
                        "ee"                                  // flags: user name, password, will retain, will QoS 1, will, clean start
                        "00 3c"                               // keep alive 60 s
                        "00"                                  // property length 0
                        "00 02 6331"                          // client id "c1"
                        "30"                                  // will property length 48
                        "01 01"                               // payload format indicator 1: UTF-8
                        "02 0000012c"                         // message expiry interval 300 s
                        "03 000a 746578742f706c61696e"        // content type "text/plain"
                        "08 0006 726573702f74"                // response topic "resp/t"
                        "09 0004 636f7272"                    // correlation data "corr"
                        "18 00000005"                         // will delay interval 5 s
                        "26 0001 6b 0001 76"                  // user property "k" = "v"
                        "00 0a 77696c6c2f746f706963"          // will topic "will/topic"
                        "00 07 6f66666c696e65"                // will payload "offline"
                        "00 04 75736572"                      // user name "user"
                        "00 04 70617373");                    // password "pass"
  const user_property ups[] = {{"k", "v"}};
  will_message w;
  w.topic = "will/topic";
  w.payload = bin("offline");
  w.qos = qos::at_least_once;
  w.retain = true;
  w.props.set_payload_format_indicator(true);
  w.props.set_message_expiry_interval(300);
  w.props.set_content_type("text/plain");
  w.props.set_response_topic("resp/t");
  w.props.set_correlation_data(bin("corr"));
  w.props.set_will_delay_interval(5);
  w.props.set_user_properties(ups);
  connect expected;
  expected.version = v5;
  expected.keep_alive = 60;
  expected.client_id = "c1";
  expected.will = w;
  expected.username = "user";
  expected.password = bin("pass");
  const connect got = round_trips(wire, v5, expected);
  CHECK(got.props.empty());
  REQUIRE(got.will);
  CHECK(got.will->topic == "will/topic");
  CHECK(got.will->payload.as_string() == "offline");
  CHECK(got.will->qos == qos::at_least_once);
  CHECK(got.will->retain);
  CHECK(got.will->props.payload_format_indicator() == true);
  CHECK(got.will->props.message_expiry_interval() == 300u);
  CHECK(got.will->props.content_type() == std::optional<std::string_view>("text/plain"));
  CHECK(got.will->props.response_topic() == std::optional<std::string_view>("resp/t"));
  CHECK(got.will->props.correlation_data() == std::optional<binary>(bin("corr")));
  CHECK(got.will->props.will_delay_interval() == 5u);
  CHECK(items(got.will->props.user_properties()) == std::vector<user_property>{{"k", "v"}});
  CHECK(got.username == std::optional<std::string_view>("user"));
  REQUIRE(got.password);
  CHECK(got.password->as_string() == "pass");
}

TEST_CASE("CONNECT with a QoS 2 will may have an empty will payload") {
  const auto wire = hex("10 17"           // CONNECT, remaining length 23
                        "00 04 4d515454"  // protocol name "MQTT"
                        "05"              // protocol version 5
                        "16"              // flags: will QoS 2, will, clean start
                        "00 00"           // keep alive 0: off
                        "00"              // property length 0
                        "00 02 6331"      // client id "c1"
                        "00"              // will property length 0
                        "00 03 772f74"    // will topic "w/t"
                        "00 00");         // will payload: empty
  connect expected;
  expected.version = v5;
  expected.client_id = "c1";
  expected.will = will_message{"w/t", binary(), qos::exactly_once, false, {}};
  const connect got = round_trips(wire, v5, expected);
  REQUIRE(got.will);
  CHECK(got.will->qos == qos::exactly_once);
  CHECK(got.will->payload.empty());
  CHECK(got.will->props.empty());
}

TEST_CASE("CONNECT at level 5 may carry a password without a user name [MQTT-3.1.2-19]") {
  const auto wire = hex("10 13"           // CONNECT, remaining length 19
                        "00 04 4d515454"  // protocol name "MQTT"
                        "05"              // protocol version 5
                        "42"              // flags: password, clean start
                        "00 3c"           // keep alive 60 s
                        "00"              // property length 0
                        "00 02 6331"      // client id "c1"
                        "00 02 00ff");    // password: 2 bytes, not text
  static const std::uint8_t pw[] = {0x00, 0xff};
  connect expected;
  expected.version = v5;
  expected.keep_alive = 60;
  expected.client_id = "c1";
  expected.password = binary(pw, 2);
  const connect got = round_trips(wire, v5, expected);
  CHECK_FALSE(got.username);
  CHECK(got.password == std::optional<binary>(binary(pw, 2)));
}

TEST_CASE("CONNECT properties in any order decode the same and user properties keep their order") {
  // Decode only: the encoder writes ascending ids, so this re-encodes as `canonical`.
  const auto wire = hex("10 2a"                 // CONNECT, remaining length 42
                        "00 04 4d515454"        // protocol name "MQTT"
                        "05"                    // protocol version 5
                        "02"                    // connect flags: clean start
                        "00 3c"                 // keep alive 60 s
                        "1b"                    // property length 27
                        "27 00000400"           // maximum packet size 1024
                        "26 0001 61 0001 31"    // user property "a" = "1"
                        "21 000a"               // receive maximum 10
                        "26 0001 61 0001 32"    // user property "a" = "2"
                        "11 0000003c"           // session expiry interval 60 s
                        "00 02 6331");          // client id "c1"
  const auto canonical = hex("10 2a 0004 4d515454 05 02 003c 1b"
                             "11 0000003c"           // session expiry interval 60 s
                             "21 000a"               // receive maximum 10
                             "26 0001 61 0001 31"    // user property "a" = "1"
                             "26 0001 61 0001 32"    // user property "a" = "2"
                             "27 00000400"           // maximum packet size 1024
                             "0002 6331");           // client id "c1"
  const user_property ups[] = {{"a", "1"}, {"a", "2"}};
  connect expected;
  expected.version = v5;
  expected.keep_alive = 60;
  expected.client_id = "c1";
  expected.props.set_session_expiry_interval(60);
  expected.props.set_receive_maximum(10);
  expected.props.set_user_properties(ups);
  expected.props.set_maximum_packet_size(1024);
  const connect got = decodes_to(wire, v5, expected);
  CHECK(items(got.props.user_properties()) == std::vector<user_property>{{"a", "1"}, {"a", "2"}});
  stream_gives(wire, v5, 1);
  round_trips(canonical, v5, expected);
}

// 3.2 CONNACK

TEST_CASE("CONNACK success with no properties is 20 03 00 00 00") {
  const auto wire = hex("20 03"   // CONNACK, remaining length 3
                        "00"      // acknowledge flags: no session present
                        "00"      // reason code 0x00 success
                        "00");    // property length 0
  const connack got = round_trips(wire, v5, connack{});
  CHECK_FALSE(got.session_present);
  CHECK(got.reason_code == 0);
  CHECK(got.props.empty());
}

TEST_CASE("CONNACK with session present sets bit 0 of the flags byte") {
  const auto wire = hex("20 03"   // CONNACK, remaining length 3
                        "01"      // acknowledge flags: session present
                        "00"      // reason code 0x00 success
                        "00");    // property length 0
  connack expected;
  expected.session_present = true;
  const connack got = round_trips(wire, v5, expected);
  CHECK(got.session_present);
}

TEST_CASE("CONNACK with every CONNACK property writes them in ascending id order") {
  const auto wire = hex("20 62"                                    // CONNACK, remaining length 98
                        "00"                                       // acknowledge flags: no session present
                        "00"                                       // reason code 0x00 success
                        "5f"                                       // property length 95
                        "11 00000e10"                              // session expiry interval 3600 s
                        "12 0004 69642d37"                         // assigned client identifier "id-7"
                        "13 001e"                                  // server keep alive 30 s
                        "15 000b 534352414d2d5348412d31"           // authentication method "SCRAM-SHA-1"
                        "16 0004 05060708"                         // authentication data 05 06 07 08
                        "1a 0004 696e666f"                         // response information "info"
                        "1c 0010 737276322e6578616d706c652e636f6d" // server reference "srv2.example.com"
                        "1f 0002 6f6b"                             // reason string "ok"
                        "21 000a"                                  // receive maximum 10
                        "22 0005"                                  // topic alias maximum 5
                        "24 01"                                    // maximum QoS 1
                        "25 00"                                    // retain available 0
                        "26 0001 6b 0001 76"                       // user property "k" = "v"
                        "27 00001000"                              // maximum packet size 4096
                        "28 00"                                    // wildcard subscription available 0
                        "29 00"                                    // subscription identifier available 0
                        "2a 01");                                  // shared subscription available 1
  static const std::uint8_t auth_data[] = {5, 6, 7, 8};
  const user_property ups[] = {{"k", "v"}};
  connack expected;
  expected.props.set_session_expiry_interval(3600);
  expected.props.set_assigned_client_identifier("id-7");
  expected.props.set_server_keep_alive(30);
  expected.props.set_authentication_method("SCRAM-SHA-1");
  expected.props.set_authentication_data(binary(auth_data, 4));
  expected.props.set_response_information("info");
  expected.props.set_server_reference("srv2.example.com");
  expected.props.set_reason_string("ok");
  expected.props.set_receive_maximum(10);
  expected.props.set_topic_alias_maximum(5);
  expected.props.set_maximum_qos(1);
  expected.props.set_retain_available(false);
  expected.props.set_user_properties(ups);
  expected.props.set_maximum_packet_size(4096);
  expected.props.set_wildcard_subscription_available(false);
  expected.props.set_subscription_identifier_available(false);
  expected.props.set_shared_subscription_available(true);
  const connack got = round_trips(wire, v5, expected);
  CHECK(got.props.session_expiry_interval() == 3600u);
  CHECK(got.props.assigned_client_identifier() == std::optional<std::string_view>("id-7"));
  CHECK(got.props.server_keep_alive() == 30);
  CHECK(got.props.authentication_method() == std::optional<std::string_view>("SCRAM-SHA-1"));
  CHECK(got.props.authentication_data() == std::optional<binary>(binary(auth_data, 4)));
  CHECK(got.props.response_information() == std::optional<std::string_view>("info"));
  CHECK(got.props.server_reference() == std::optional<std::string_view>("srv2.example.com"));
  CHECK(got.props.reason_string() == std::optional<std::string_view>("ok"));
  CHECK(got.props.receive_maximum() == 10);
  CHECK(got.props.topic_alias_maximum() == 5);
  CHECK(got.props.maximum_qos() == 1);
  CHECK(got.props.retain_available() == false);
  CHECK(items(got.props.user_properties()) == std::vector<user_property>{{"k", "v"}});
  CHECK(got.props.maximum_packet_size() == 4096u);
  CHECK(got.props.wildcard_subscription_available() == false);
  CHECK(got.props.subscription_identifier_available() == false);
  CHECK(got.props.shared_subscription_available() == true);
}

TEST_CASE("CONNACK refusing with 0x9c carries a server reference and a reason string") {
  const auto wire = hex("20 21"                                    // CONNACK, remaining length 33
                        "00"                                       // acknowledge flags: no session present
                        "9c"                                       // reason code 0x9C use another server
                        "1e"                                       // property length 30
                        "1c 0010 737276322e6578616d706c652e636f6d" // server reference "srv2.example.com"
                        "1f 0008 7472792073727632");               // reason string "try srv2"
  connack expected;
  expected.reason_code = reason::use_another_server;
  expected.props.set_server_reference("srv2.example.com");
  expected.props.set_reason_string("try srv2");
  const connack got = round_trips(wire, v5, expected);
  CHECK(got.reason_code == 0x9c);
  CHECK(got.props.server_reference() == std::optional<std::string_view>("srv2.example.com"));
  CHECK(got.props.reason_string() == std::optional<std::string_view>("try srv2"));
}

TEST_CASE("CONNACK carries each Connect reason code of Table 3-1 [MQTT-3.2.2-8]") {
  const std::uint8_t codes[] = {0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
                                0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F};
  for (std::uint8_t rc : codes) {
    CAPTURE(int(rc));
    std::vector<std::uint8_t> wire = hex("20 03"  // CONNACK, remaining length 3
                                         "00");   // acknowledge flags: no session present
    wire.push_back(rc);                           // reason code
    wire.push_back(0x00);                         // property length 0
    connack expected;
    expected.reason_code = rc;
    const connack got = round_trips(wire, v5, expected);
    CHECK(got.reason_code == rc);
  }
}

TEST_CASE("CONNACK properties in any order decode the same") {
  // Decode only: the encoder writes ascending ids, so this re-encodes as `canonical`.
  const auto wire = hex("20 0a"       // CONNACK, remaining length 10
                        "00"          // acknowledge flags: no session present
                        "00"          // reason code 0x00 success
                        "07"          // property length 7
                        "2a 00"       // shared subscription available 0
                        "24 00"       // maximum QoS 0
                        "13 000a");   // server keep alive 10 s
  const auto canonical = hex("20 0a 00 00 07"
                             "13 000a"    // server keep alive 10 s
                             "24 00"      // maximum QoS 0
                             "2a 00");    // shared subscription available 0
  connack expected;
  expected.props.set_server_keep_alive(10);
  expected.props.set_maximum_qos(0);
  expected.props.set_shared_subscription_available(false);
  const connack got = decodes_to(wire, v5, expected);
  CHECK(got.props.maximum_qos() == 0);
  CHECK(got.props.shared_subscription_available() == false);
  stream_gives(wire, v5, 1);
  round_trips(canonical, v5, expected);
}

}  // TEST_SUITE
