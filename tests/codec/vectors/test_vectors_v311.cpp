// Byte-exact vectors for MQTT 3.1.1 (protocol level 4), written from OASIS MQTT 3.1.1 chapter 3:
// every packet kind, decoded and encoded, and fed to a stream decoder split every way.
#include "vector_checks.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {
constexpr protocol_version v4 = protocol_version::v3_1_1;
}  // namespace

TEST_SUITE("codec v311") {

// 3.1 CONNECT

TEST_CASE("CONNECT with only a client id and clean session is 16 bytes") {
  const auto wire = hex("10 0e"           // CONNECT, remaining length 14
                        "00 04 4d515454"  // protocol name "MQTT"
                        "04"              // protocol level 4
                        "02"              // connect flags: clean session
                        "00 3c"           // keep alive 60 s
                        "00 02 6331");    // client id "c1"
  connect expected;
  expected.version = v4;
  expected.clean_start = true;
  expected.keep_alive = 60;
  expected.client_id = "c1";
  const connect got = round_trips(wire, v4, expected);
  CHECK(got.version == v4);
  CHECK_FALSE(got.bridge);
  CHECK(got.clean_start);
  CHECK(got.keep_alive == 60);
  CHECK(got.client_id == "c1");
  CHECK_FALSE(got.will);
  CHECK_FALSE(got.username);
  CHECK_FALSE(got.password);
}

TEST_CASE("CONNECT with will and user name and password puts them in payload order [MQTT-3.1.3-1 v3.1.1]") {
  const auto wire = hex("10 1f"           // CONNECT, remaining length 31
                        "00 04 4d515454"  // protocol name "MQTT"
                        "04"              // protocol level 4
                        "ec"              // flags: user name, password, will retain, will QoS 1, will; no clean session
                        "00 0a"           // keep alive 10 s
                        "00 02 6331"      // client id "c1"
                        "00 03 772f74"    // will topic "w/t"
                        "00 03 627965"    // will message "bye"
                        "00 01 75"        // user name "u"
                        "00 02 7077");    // password "pw"
  connect expected;
  expected.version = v4;
  expected.clean_start = false;
  expected.keep_alive = 10;
  expected.client_id = "c1";
  expected.will = will_message{"w/t", bin("bye"), qos::at_least_once, true, {}};
  expected.username = "u";
  expected.password = bin("pw");
  const connect got = round_trips(wire, v4, expected);
  CHECK_FALSE(got.clean_start);
  REQUIRE(got.will);
  CHECK(got.will->topic == "w/t");
  CHECK(got.will->payload.as_string() == "bye");
  CHECK(got.will->qos == qos::at_least_once);
  CHECK(got.will->retain);
  CHECK(got.username == std::optional<std::string_view>("u"));
  REQUIRE(got.password);
  CHECK(got.password->as_string() == "pw");
}

TEST_CASE("CONNECT with a QoS 2 will carries a binary will message and no user name") {
  const auto wire = hex("10 18"           // CONNECT, remaining length 24
                        "00 04 4d515454"  // protocol name "MQTT"
                        "04"              // protocol level 4
                        "16"              // flags: will QoS 2, will, clean session
                        "00 00"           // keep alive 0: off
                        "00 02 6331"      // client id "c1"
                        "00 03 772f74"    // will topic "w/t"
                        "00 03 00ff80");  // will message: 3 bytes, not text
  static const std::uint8_t payload[] = {0x00, 0xff, 0x80};
  connect expected;
  expected.version = v4;
  expected.keep_alive = 0;
  expected.client_id = "c1";
  expected.will = will_message{"w/t", binary(payload, 3), qos::exactly_once, false, {}};
  const connect got = round_trips(wire, v4, expected);
  REQUIRE(got.will);
  CHECK(got.will->qos == qos::exactly_once);
  CHECK_FALSE(got.will->retain);
  CHECK(got.will->payload == binary(payload, 3));
  CHECK(got.keep_alive == 0);
}

TEST_CASE("CONNECT from a bridge sets bit 7 of the level byte and may carry a binary password") {
  const auto wire = hex("10 18"           // CONNECT, remaining length 24
                        "00 04 4d515454"  // protocol name "MQTT"
                        "84"              // protocol level 4 with the bridge bit 0x80
                        "c2"              // flags: user name, password, clean session
                        "ff ff"           // keep alive 65535 s, the largest
                        "00 02 6331"      // client id "c1"
                        "00 04 75736572"  // user name "user"
                        "00 02 00ff");    // password: 2 bytes, not text
  static const std::uint8_t pw[] = {0x00, 0xff};
  connect expected;
  expected.version = v4;
  expected.bridge = true;
  expected.keep_alive = 65535;
  expected.client_id = "c1";
  expected.username = "user";
  expected.password = binary(pw, 2);
  const connect got = round_trips(wire, v4, expected);
  CHECK(got.version == v4);
  CHECK(got.bridge);
  CHECK(got.keep_alive == 65535);
  CHECK(got.username == std::optional<std::string_view>("user"));
}

TEST_CASE("CONNECT may have an empty client id with clean session [MQTT-3.1.3-6 v3.1.1]") {
  const auto wire = hex("10 0c"           // CONNECT, remaining length 12
                        "00 04 4d515454"  // protocol name "MQTT"
                        "04"              // protocol level 4
                        "02"              // connect flags: clean session
                        "00 3c"           // keep alive 60 s
                        "00 00");         // client id "" (the server assigns one)
  connect expected;
  expected.version = v4;
  expected.keep_alive = 60;
  const connect got = round_trips(wire, v4, expected);
  CHECK(got.client_id.empty());
}

// 3.2 CONNACK

TEST_CASE("CONNACK accepting a new session is 20 02 00 00") {
  const auto wire = hex("20 02"   // CONNACK, remaining length 2
                        "00"      // acknowledge flags: no session present
                        "00");    // return code 0: accepted
  const connack got = round_trips(wire, v4, connack{});
  CHECK_FALSE(got.session_present);
  CHECK(got.reason_code == 0);
}

TEST_CASE("CONNACK with session present sets bit 0 of the flags byte [MQTT-3.2.2-2 v3.1.1]") {
  const auto wire = hex("20 02"   // CONNACK, remaining length 2
                        "01"      // acknowledge flags: session present
                        "00");    // return code 0: accepted
  connack expected;
  expected.session_present = true;
  const connack got = round_trips(wire, v4, expected);
  CHECK(got.session_present);
}

TEST_CASE("CONNACK refusal return codes 1 to 5 are the second body byte") {
  for (std::uint8_t rc = 1; rc <= 5; ++rc) {
    CAPTURE(int(rc));
    std::vector<std::uint8_t> wire = hex("20 02"  // CONNACK, remaining length 2
                                         "00");   // acknowledge flags: no session present
    wire.push_back(rc);                           // return code: refused
    connack expected;
    expected.reason_code = rc;
    const connack got = round_trips(wire, v4, expected);
    CHECK(got.reason_code == rc);
  }
}

// 3.3 PUBLISH

TEST_CASE("PUBLISH at QoS 0 has no packet id [MQTT-2.3.1-5 v3.1.1]") {
  const auto wire = hex("30 0a"           // PUBLISH QoS 0, remaining length 10
                        "00 03 612f62"    // topic "a/b"
                        "68656c6c6f");    // payload "hello"
  publish expected;
  expected.topic = "a/b";
  expected.payload = bin("hello");
  const publish got = round_trips(wire, v4, expected);
  CHECK(got.qos == qos::at_most_once);
  CHECK(got.packet_id == 0);
  CHECK(got.topic == "a/b");
  CHECK(got.payload.as_string() == "hello");
}

TEST_CASE("PUBLISH at QoS 1 carries a packet id after the topic") {
  const auto wire = hex("32 0c"           // PUBLISH QoS 1, remaining length 12
                        "00 03 612f62"    // topic "a/b"
                        "00 0a"           // packet id 10
                        "68656c6c6f");    // payload "hello"
  publish expected;
  expected.qos = qos::at_least_once;
  expected.topic = "a/b";
  expected.packet_id = 10;
  expected.payload = bin("hello");
  const publish got = round_trips(wire, v4, expected);
  CHECK(got.qos == qos::at_least_once);
  CHECK(got.packet_id == 10);
}

TEST_CASE("PUBLISH at QoS 2 with dup and retain has first byte 3d") {
  const auto wire = hex("3d 0c"           // PUBLISH DUP, QoS 2, RETAIN; remaining length 12
                        "00 03 612f62"    // topic "a/b"
                        "12 34"           // packet id 0x1234
                        "68656c6c6f");    // payload "hello"
  publish expected;
  expected.dup = true;
  expected.qos = qos::exactly_once;
  expected.retain = true;
  expected.topic = "a/b";
  expected.packet_id = 0x1234;
  expected.payload = bin("hello");
  const publish got = round_trips(wire, v4, expected);
  CHECK(got.dup);
  CHECK(got.qos == qos::exactly_once);
  CHECK(got.retain);
  CHECK(got.packet_id == 0x1234);
}

TEST_CASE("PUBLISH at QoS 1 with dup has first byte 3a") {
  const auto wire = hex("3a 0c"           // PUBLISH DUP, QoS 1; remaining length 12
                        "00 03 612f62"    // topic "a/b"
                        "00 0b"           // packet id 11
                        "68656c6c6f");    // payload "hello"
  publish expected;
  expected.dup = true;
  expected.qos = qos::at_least_once;
  expected.topic = "a/b";
  expected.packet_id = 11;
  expected.payload = bin("hello");
  const publish got = round_trips(wire, v4, expected);
  CHECK(got.dup);
  CHECK_FALSE(got.retain);
}

TEST_CASE("PUBLISH with retain and an empty payload ends after the topic [V311-U17]") {
  const auto wire = hex("31 05"           // PUBLISH QoS 0 RETAIN, remaining length 5
                        "00 03 612f62");  // topic "a/b"; payload empty
  publish expected;
  expected.retain = true;
  expected.topic = "a/b";
  const publish got = round_trips(wire, v4, expected);
  CHECK(got.retain);
  CHECK(got.payload.empty());
}

TEST_CASE("PUBLISH of 128 body bytes has a two byte remaining length") {
  const auto wire = concat({hex("30 80 01"          // PUBLISH QoS 0, remaining length 128
                                "00 03 612f62"),    // topic "a/b"
                            std::vector<std::uint8_t>(123, 'x')});  // payload: 123 x "x"
  const std::string payload(123, 'x');
  publish expected;
  expected.topic = "a/b";
  expected.payload = bin(payload);
  const publish got = round_trips(wire, v4, expected);
  CHECK(got.payload.size() == 123);
}

// 3.4 - 3.7 the acknowledgements

TEST_CASE("PUBACK is the packet id alone") {
  const auto wire = hex("40 02"   // PUBACK, remaining length 2
                        "12 34"); // packet id 0x1234
  const puback got = round_trips(wire, v4, with_id<puback>(0x1234));
  CHECK(got.packet_id == 0x1234);
}

TEST_CASE("PUBREC is the packet id alone") {
  const auto wire = hex("50 02"   // PUBREC, remaining length 2
                        "00 02"); // packet id 2
  const pubrec got = round_trips(wire, v4, with_id<pubrec>(2));
  CHECK(got.packet_id == 2);
}

TEST_CASE("PUBREL has flags 0010 and the packet id [MQTT-3.6.1-1 v3.1.1]") {
  const auto wire = hex("62 02"   // PUBREL, flags 0010, remaining length 2
                        "00 03"); // packet id 3
  const pubrel got = round_trips(wire, v4, with_id<pubrel>(3));
  CHECK(got.packet_id == 3);
  CHECK_FALSE(got.dup);
}

TEST_CASE("PUBCOMP is the packet id alone") {
  const auto wire = hex("70 02"   // PUBCOMP, remaining length 2
                        "ff ff"); // packet id 65535
  const pubcomp got = round_trips(wire, v4, with_id<pubcomp>(65535));
  CHECK(got.packet_id == 65535);
}

// 3.8 - 3.11 subscriptions

TEST_CASE("SUBSCRIBE with three filters lists each with its requested QoS [MQTT-3.8.1-1 v3.1.1]") {
  const auto wire = hex("82 12"           // SUBSCRIBE, flags 0010, remaining length 18
                        "00 0b"           // packet id 11
                        "00 03 612f2b 00" // filter "a/+", QoS 0
                        "00 03 622f23 01" // filter "b/#", QoS 1
                        "00 01 63 02");   // filter "c", QoS 2
  const subscription subs[] = {{"a/+", qos::at_most_once}, {"b/#", qos::at_least_once}, {"c", qos::exactly_once}};
  subscribe expected;
  expected.packet_id = 11;
  expected.subscriptions = subs;
  const subscribe got = round_trips(wire, v4, expected);
  CHECK(got.packet_id == 11);
  CHECK_FALSE(got.dup);
  const auto list = items(got.subscriptions);
  REQUIRE(list.size() == 3);
  CHECK(list[0].topic_filter == "a/+");
  CHECK(list[1].topic_filter == "b/#");
  CHECK(list[1].max_qos == qos::at_least_once);
  CHECK(list[2].topic_filter == "c");
  CHECK(list[2].max_qos == qos::exactly_once);
}

TEST_CASE("SUBACK carries one return code per filter including failure 0x80 [MQTT-3.9.3-2 v3.1.1]") {
  const auto wire = hex("90 06"           // SUBACK, remaining length 6
                        "00 0b"           // packet id 11
                        "00 01 02 80");   // granted QoS 0, 1, 2 and failure
  static const std::uint8_t codes[] = {0x00, 0x01, 0x02, 0x80};
  suback expected;
  expected.packet_id = 11;
  expected.reason_codes = binary(codes, 4);
  const suback got = round_trips(wire, v4, expected);
  CHECK(got.packet_id == 11);
  REQUIRE(got.reason_codes.size() == 4);
  CHECK(got.reason_codes.data()[3] == 0x80);
}

TEST_CASE("UNSUBSCRIBE lists its filters back to back [MQTT-3.10.1-1 v3.1.1]") {
  const auto wire = hex("a2 0c"           // UNSUBSCRIBE, flags 0010, remaining length 12
                        "00 0c"           // packet id 12
                        "00 03 612f2b"    // filter "a/+"
                        "00 03 622f23");  // filter "b/#"
  const std::string_view filters[] = {"a/+", "b/#"};
  unsubscribe expected;
  expected.packet_id = 12;
  expected.topic_filters = filters;
  const unsubscribe got = round_trips(wire, v4, expected);
  CHECK(got.packet_id == 12);
  CHECK_FALSE(got.dup);
  const auto list = items(got.topic_filters);
  REQUIRE(list.size() == 2);
  CHECK(list[0] == "a/+");
  CHECK(list[1] == "b/#");
}

TEST_CASE("UNSUBACK is the packet id alone with no return codes") {
  const auto wire = hex("b0 02"   // UNSUBACK, remaining length 2
                        "00 0c"); // packet id 12
  const unsuback got = round_trips(wire, v4, with_id<unsuback>(12));
  CHECK(got.packet_id == 12);
  CHECK(got.reason_codes.empty());
}

// 3.12 - 3.14

TEST_CASE("PINGREQ is c0 00") {
  const auto wire = hex("c0 00");  // PINGREQ, remaining length 0
  round_trips(wire, v4, pingreq{});
}

TEST_CASE("PINGRESP is d0 00") {
  const auto wire = hex("d0 00");  // PINGRESP, remaining length 0
  round_trips(wire, v4, pingresp{});
}

TEST_CASE("DISCONNECT is e0 00 [MQTT-3.14.1-1 v3.1.1]") {
  const auto wire = hex("e0 00");  // DISCONNECT, remaining length 0
  const disconnect got = round_trips(wire, v4, disconnect{});
  CHECK(got.reason_code == 0);
  CHECK(got.props.empty());
}

// A whole connection's worth of packets in one stream [MQTT-6.0.0-2 v3.1.1].

TEST_CASE("a level 4 stream holding every packet kind decodes the same at every split [MQTT-6.0.0-2 v3.1.1]") {
  const auto stream = hex("10 0e 0004 4d515454 04 02 003c 0002 6331"  // CONNECT "c1"
                          "20 02 00 00"                               // CONNACK accepted
                          "82 08 0001 0003 612f2b 01"                 // SUBSCRIBE 1 "a/+" QoS 1
                          "90 03 0001 01"                             // SUBACK 1: QoS 1
                          "32 07 0003 612f62 0002"                    // PUBLISH QoS 1 id 2, empty payload
                          "40 02 0002"                                // PUBACK 2
                          "34 08 0003 612f62 0003 78"                 // PUBLISH QoS 2 id 3 "x"
                          "50 02 0003"                                // PUBREC 3
                          "62 02 0003"                                // PUBREL 3
                          "70 02 0003"                                // PUBCOMP 3
                          "30 06 0003 612f62 79"                      // PUBLISH QoS 0 "y"
                          "a2 07 0004 0003 612f2b"                    // UNSUBSCRIBE 4 "a/+"
                          "b0 02 0004"                                // UNSUBACK 4
                          "c0 00"                                     // PINGREQ
                          "d0 00"                                     // PINGRESP
                          "e0 00");                                   // DISCONNECT
  const packet_type kinds[] = {packet_type::connect, packet_type::connack, packet_type::subscribe,
                               packet_type::suback, packet_type::publish, packet_type::puback,
                               packet_type::publish, packet_type::pubrec, packet_type::pubrel,
                               packet_type::pubcomp, packet_type::publish, packet_type::unsubscribe,
                               packet_type::unsuback, packet_type::pingreq, packet_type::pingresp,
                               packet_type::disconnect};
  bytes rest(stream);
  for (packet_type k : kinds) {
    packet p;
    const result<std::size_t> n = decode(rest, v4, p);
    REQUIRE_MESSAGE(n, (n ? std::string() : n.error().message()));
    CHECK(type_of(p) == k);
    rest = rest.subspan(*n);
  }
  CHECK(rest.empty());
  stream_gives(stream, v4, std::size(kinds));
}

}  // TEST_SUITE
