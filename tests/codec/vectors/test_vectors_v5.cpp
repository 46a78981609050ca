// Byte-exact vectors for MQTT 5.0 PINGREQ, PINGRESP, DISCONNECT and AUTH (OASIS MQTT 5.0
// §3.12 - §3.15), written from the standard, and one stream holding every packet kind. CONNECT
// and CONNACK, PUBLISH, the acknowledgements and the subscription packets have their own files.
#include "vector_checks.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

TEST_SUITE("codec v5") {

// 3.12, 3.13

TEST_CASE("PINGREQ at level 5 is c0 00 with no property length") {
  round_trips(hex("c0 00"), v5, pingreq{});  // PINGREQ, remaining length 0
}

TEST_CASE("PINGRESP at level 5 is d0 00 with no property length") {
  round_trips(hex("d0 00"), v5, pingresp{});  // PINGRESP, remaining length 0
}

// 3.14 DISCONNECT

TEST_CASE("DISCONNECT with reason 0 and no properties is e0 00") {
  const auto wire = hex("e0 00");  // DISCONNECT, remaining length 0: normal disconnection
  const disconnect got = round_trips(wire, v5, disconnect{});
  CHECK(got.reason_code == 0);
  CHECK(got.props.empty());
}

TEST_CASE("DISCONNECT with a reason code and no properties omits the property length") {
  const auto wire = hex("e0 01"   // DISCONNECT, remaining length 1
                        "04");    // reason 0x04 disconnect with will message
  disconnect expected;
  expected.reason_code = reason::disconnect_with_will_message;
  const disconnect got = round_trips(wire, v5, expected);
  CHECK(got.reason_code == 0x04);
  CHECK(got.props.empty());
}

TEST_CASE("DISCONNECT carries each Disconnect reason code in 3 bytes [MQTT-3.14.2-1]") {
  const std::uint8_t codes[] = {0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8C, 0x8D,
                                0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
                                0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2};
  for (std::uint8_t rc : codes) {
    CAPTURE(int(rc));
    std::vector<std::uint8_t> wire = hex("e0 01");  // DISCONNECT, remaining length 1
    wire.push_back(rc);                             // reason code
    disconnect expected;
    expected.reason_code = rc;
    round_trips(wire, v5, expected);
  }
}

TEST_CASE("DISCONNECT from a client carries session expiry and a reason string and a user property") {
  const auto wire = hex("e0 15"                 // DISCONNECT, remaining length 21
                        "04"                    // reason 0x04 disconnect with will message
                        "13"                    // property length 19
                        "11 00000078"           // session expiry interval 120 s
                        "1f 0004 646f6e65"      // reason string "done"
                        "26 0001 6b 0001 76");  // user property "k" = "v"
  const user_property ups[] = {{"k", "v"}};
  disconnect expected;
  expected.reason_code = reason::disconnect_with_will_message;
  expected.props.set_session_expiry_interval(120);
  expected.props.set_reason_string("done");
  expected.props.set_user_properties(ups);
  const disconnect got = round_trips(wire, v5, expected);
  CHECK(got.reason_code == 0x04);
  CHECK(got.props.session_expiry_interval() == 120u);
  CHECK(got.props.reason_string() == std::optional<std::string_view>("done"));
  CHECK(items(got.props.user_properties()) == std::vector<user_property>{{"k", "v"}});
}

TEST_CASE("DISCONNECT from a server carries a server reference and a reason string and a user property") {
  const auto wire = hex("e0 21"                                    // DISCONNECT, remaining length 33
                        "9c"                                       // reason 0x9C use another server
                        "1f"                                       // property length 31
                        "1c 0010 737276322e6578616d706c652e636f6d" // server reference "srv2.example.com"
                        "1f 0002 6f6b"                             // reason string "ok"
                        "26 0001 6b 0001 76");                     // user property "k" = "v"
  const user_property ups[] = {{"k", "v"}};
  disconnect expected;
  expected.reason_code = reason::use_another_server;
  expected.props.set_server_reference("srv2.example.com");
  expected.props.set_reason_string("ok");
  expected.props.set_user_properties(ups);
  const disconnect got = round_trips(wire, v5, expected);
  CHECK(got.reason_code == 0x9c);
  CHECK(got.props.server_reference() == std::optional<std::string_view>("srv2.example.com"));
}

TEST_CASE("DISCONNECT with reason 0 and a property writes the reason code") {
  const auto wire = hex("e0 09"                 // DISCONNECT, remaining length 9
                        "00"                    // reason 0x00 normal disconnection
                        "07"                    // property length 7
                        "26 0001 6b 0001 76");  // user property "k" = "v"
  const user_property ups[] = {{"k", "v"}};
  disconnect expected;
  expected.props.set_user_properties(ups);
  const disconnect got = round_trips(wire, v5, expected);
  CHECK(got.reason_code == 0);
  CHECK(got.props.user_properties().size() == 1);
}

TEST_CASE("DISCONNECT with a reason code and property length 0 decodes like the short forms") {
  // Decode only: these re-encode as e0 00 and e0 01 8e.
  disconnect normal;
  decodes_to(hex("e0 02"    // DISCONNECT, remaining length 2
                 "00"       // reason 0x00 normal disconnection
                 "00"),     // property length 0
             v5, normal);
  disconnect taken_over;
  taken_over.reason_code = reason::session_taken_over;
  decodes_to(hex("e0 02"    // DISCONNECT, remaining length 2
                 "8e"       // reason 0x8E session taken over
                 "00"),     // property length 0
             v5, taken_over);
  stream_gives(hex("e0 02 00 00  e0 02 8e 00"), v5, 2);
  encodes_to(normal, v5, hex("e0 00"));
  encodes_to(taken_over, v5, hex("e0 01 8e"));
}

// 3.15 AUTH

TEST_CASE("AUTH continuing authentication carries the method and data [MQTT-4.12.0-2]") {
  const auto wire = hex("f0 17"                             // AUTH, remaining length 23
                        "18"                                // reason 0x18 continue authentication
                        "15"                                // property length 21
                        "15 000b 534352414d2d5348412d31"    // authentication method "SCRAM-SHA-1"
                        "16 0004 01020304");                // authentication data 01 02 03 04
  static const std::uint8_t data[] = {1, 2, 3, 4};
  auth expected;
  expected.reason_code = reason::continue_authentication;
  expected.props.set_authentication_method("SCRAM-SHA-1");
  expected.props.set_authentication_data(binary(data, 4));
  const auth got = round_trips(wire, v5, expected);
  CHECK(got.reason_code == 0x18);
  CHECK(got.props.authentication_method() == std::optional<std::string_view>("SCRAM-SHA-1"));
  CHECK(got.props.authentication_data() == std::optional<binary>(binary(data, 4)));
}

TEST_CASE("AUTH re-authenticating carries method and data and a reason string and a user property [MQTT-4.12.1-1]") {
  const auto wire = hex("f0 26"                             // AUTH, remaining length 38
                        "19"                                // reason 0x19 re-authenticate
                        "24"                                // property length 36
                        "15 000b 534352414d2d5348412d31"    // authentication method "SCRAM-SHA-1"
                        "16 0004 01020304"                  // authentication data 01 02 03 04
                        "1f 0005 616761696e"                // reason string "again"
                        "26 0001 6b 0001 76");              // user property "k" = "v"
  static const std::uint8_t data[] = {1, 2, 3, 4};
  const user_property ups[] = {{"k", "v"}};
  auth expected;
  expected.reason_code = reason::re_authenticate;
  expected.props.set_authentication_method("SCRAM-SHA-1");
  expected.props.set_authentication_data(binary(data, 4));
  expected.props.set_reason_string("again");
  expected.props.set_user_properties(ups);
  const auth got = round_trips(wire, v5, expected);
  CHECK(got.reason_code == 0x19);
  CHECK(got.props.reason_string() == std::optional<std::string_view>("again"));
  CHECK(items(got.props.user_properties()) == std::vector<user_property>{{"k", "v"}});
}

TEST_CASE("AUTH with reason 0 still writes the reason code because the method is mandatory [V5-U14]") {
  const auto wire = hex("f0 10"                             // AUTH, remaining length 16
                        "00"                                // reason 0x00 success
                        "0e"                                // property length 14
                        "15 000b 534352414d2d5348412d31");  // authentication method "SCRAM-SHA-1"
  auth expected;
  expected.props.set_authentication_method("SCRAM-SHA-1");
  const auth got = round_trips(wire, v5, expected);
  CHECK(got.reason_code == 0);
  CHECK_FALSE(got.props.authentication_data());
}

// Every kind in one stream [MQTT-6.0.0-2].

TEST_CASE("a level 5 stream holding every packet kind decodes the same at every split [MQTT-6.0.0-2]") {
  const auto stream = hex("10 0f 0004 4d515454 05 02 003c 00 0002 6331"            // CONNECT "c1"
                          "f0 17 18 15 15 000b 534352414d2d5348412d31 16 0004 01020304"  // AUTH 0x18
                          "20 03 00 00 00"                                         // CONNACK success
                          "82 09 0001 00 0003 612f2b 01"                           // SUBSCRIBE 1 "a/+" QoS 1
                          "90 04 0001 00 01"                                       // SUBACK 1: QoS 1
                          "32 08 0003 612f62 0002 00"                              // PUBLISH QoS 1 id 2, empty payload
                          "40 02 0002"                                             // PUBACK 2, short form
                          "34 09 0003 612f62 0003 00 78"                           // PUBLISH QoS 2 id 3 "x"
                          "50 03 0003 10"                                          // PUBREC 3, reason 0x10 only
                          "62 04 0003 00 00"                                       // PUBREL 3, property length 0
                          "70 02 0003"                                             // PUBCOMP 3, short form
                          "30 07 0003 612f62 00 79"                                // PUBLISH QoS 0 "y"
                          "a2 08 0004 00 0003 612f2b"                              // UNSUBSCRIBE 4 "a/+"
                          "b0 04 0004 00 00"                                       // UNSUBACK 4: success
                          "c0 00"                                                  // PINGREQ
                          "d0 00"                                                  // PINGRESP
                          "e0 01 04");                                             // DISCONNECT 0x04
  const packet_type kinds[] = {packet_type::connect, packet_type::auth, packet_type::connack,
                               packet_type::subscribe, packet_type::suback, packet_type::publish,
                               packet_type::puback, packet_type::publish, packet_type::pubrec,
                               packet_type::pubrel, packet_type::pubcomp, packet_type::publish,
                               packet_type::unsubscribe, packet_type::unsuback, packet_type::pingreq,
                               packet_type::pingresp, packet_type::disconnect};
  bytes rest(stream);
  for (packet_type k : kinds) {
    packet p;
    const result<std::size_t> n = decode(rest, v5, p);
    REQUIRE_MESSAGE(n, (n ? std::string() : n.error().message()));
    CHECK(type_of(p) == k);
    rest = rest.subspan(*n);
  }
  CHECK(rest.empty());
  stream_gives(stream, v5, std::size(kinds));
}

}  // TEST_SUITE
