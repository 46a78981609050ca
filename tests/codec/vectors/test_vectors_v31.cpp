// Byte-exact vectors for MQTT 3.1 (protocol level 3, "MQIsdp"), written from IBM's MQTT V3.1
// specification and its differences from 3.1.1 (V31-D01..D08): every packet kind, decoded and
// encoded, and fed to a stream decoder split every way.
#include "vector_checks.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {
constexpr protocol_version v3 = protocol_version::v3_1;
}  // namespace

TEST_SUITE("codec v31") {

// CONNECT

TEST_CASE("CONNECT names the protocol MQIsdp with level 3 [V31-D01]") {
  const auto wire = hex("10 10"               // CONNECT, remaining length 16
                        "00 06 4d5149736470"  // protocol name "MQIsdp"
                        "03"                  // protocol version 3
                        "02"                  // connect flags: clean session
                        "00 3c"               // keep alive 60 s
                        "00 02 6331");        // client id "c1"
  connect expected;
  expected.version = v3;
  expected.keep_alive = 60;
  expected.client_id = "c1";
  const connect got = round_trips(wire, v3, expected);
  CHECK(got.version == v3);
  CHECK_FALSE(got.bridge);
  CHECK(got.clean_start);
  CHECK(got.client_id == "c1");
}

TEST_CASE("CONNECT with will and user name and password writes them as length-prefixed strings [V31-D05]") {
  const auto wire = hex("10 21"               // CONNECT, remaining length 33
                        "00 06 4d5149736470"  // protocol name "MQIsdp"
                        "03"                  // protocol version 3
                        "ec"                  // flags: user name, password, will retain, will QoS 1, will; no clean session
                        "00 0a"               // keep alive 10 s
                        "00 02 6331"          // client id "c1"
                        "00 03 772f74"        // will topic "w/t"
                        "00 03 627965"        // will message "bye"
                        "00 01 75"            // user name "u"
                        "00 02 7077");        // password "pw"
  connect expected;
  expected.version = v3;
  expected.clean_start = false;
  expected.keep_alive = 10;
  expected.client_id = "c1";
  expected.will = will_message{"w/t", bin("bye"), qos::at_least_once, true, {}};
  expected.username = "u";
  expected.password = bin("pw");
  const connect got = round_trips(wire, v3, expected);
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

TEST_CASE("CONNECT with a QoS 2 will and no user name sets flags 16") {
  const auto wire = hex("10 1a"               // CONNECT, remaining length 26
                        "00 06 4d5149736470"  // protocol name "MQIsdp"
                        "03"                  // protocol version 3
                        "16"                  // flags: will QoS 2, will, clean session
                        "00 00"               // keep alive 0: off
                        "00 02 6331"          // client id "c1"
                        "00 03 772f74"        // will topic "w/t"
                        "00 03 627965");      // will message "bye"
  connect expected;
  expected.version = v3;
  expected.keep_alive = 0;
  expected.client_id = "c1";
  expected.will = will_message{"w/t", bin("bye"), qos::exactly_once, false, {}};
  const connect got = round_trips(wire, v3, expected);
  REQUIRE(got.will);
  CHECK(got.will->qos == qos::exactly_once);
  CHECK_FALSE(got.will->retain);
  CHECK_FALSE(got.username);
}

TEST_CASE("CONNECT from a bridge sets bit 7 of the level 3 byte") {
  const auto wire = hex("10 1c"               // CONNECT, remaining length 28
                        "00 06 4d5149736470"  // protocol name "MQIsdp"
                        "83"                  // protocol version 3 with the bridge bit 0x80
                        "c2"                  // flags: user name, password, clean session
                        "ff ff"               // keep alive 65535 s
                        "00 02 6331"          // client id "c1"
                        "00 04 75736572"      // user name "user"
                        "00 04 70617373");    // password "pass"
  connect expected;
  expected.version = v3;
  expected.bridge = true;
  expected.keep_alive = 65535;
  expected.client_id = "c1";
  expected.username = "user";
  expected.password = bin("pass");
  const connect got = round_trips(wire, v3, expected);
  CHECK(got.version == v3);
  CHECK(got.bridge);
  CHECK(got.username == std::optional<std::string_view>("user"));
}

// CONNACK

TEST_CASE("CONNACK at level 3 writes 0 in the reserved byte [V31-D03]") {
  const auto wire = hex("20 02"   // CONNACK, remaining length 2
                        "00"      // reserved (topic name compression response, unused)
                        "00");    // return code 0: accepted
  const connack got = round_trips(wire, v3, connack{});
  CHECK_FALSE(got.session_present);
  CHECK(got.reason_code == 0);
}

TEST_CASE("CONNACK at level 3 refuses with return codes 1 to 5 [V31-D03]") {
  for (std::uint8_t rc = 1; rc <= 5; ++rc) {
    CAPTURE(int(rc));
    std::vector<std::uint8_t> wire = hex("20 02"  // CONNACK, remaining length 2
                                         "00");   // reserved
    wire.push_back(rc);                           // return code: refused
    connack expected;
    expected.reason_code = rc;
    const connack got = round_trips(wire, v3, expected);
    CHECK(got.reason_code == rc);
  }
}

TEST_CASE("CONNACK at level 3 ignores the reserved byte and has no session present flag [V31-D03]") {
  // Decode only: the byte is not read, so this re-encodes as 20 02 00 00.
  const auto wire = hex("20 02"   // CONNACK, remaining length 2
                        "01"      // reserved byte with a stray bit (not session present in 3.1)
                        "00");    // return code 0: accepted
  const connack got = decodes_to(wire, v3, connack{});
  CHECK_FALSE(got.session_present);
  encodes_to(connack{}, v3, hex("20 02 00 00"));
}

// PUBLISH

TEST_CASE("PUBLISH at level 3 QoS 0 has no packet id") {
  const auto wire = hex("30 0a"           // PUBLISH QoS 0, remaining length 10
                        "00 03 612f62"    // topic "a/b"
                        "68656c6c6f");    // payload "hello"
  publish expected;
  expected.topic = "a/b";
  expected.payload = bin("hello");
  const publish got = round_trips(wire, v3, expected);
  CHECK(got.packet_id == 0);
  CHECK(got.payload.as_string() == "hello");
}

TEST_CASE("PUBLISH at level 3 QoS 1 carries a packet id after the topic") {
  const auto wire = hex("32 0c"           // PUBLISH QoS 1, remaining length 12
                        "00 03 612f62"    // topic "a/b"
                        "00 0a"           // packet id 10
                        "68656c6c6f");    // payload "hello"
  publish expected;
  expected.qos = qos::at_least_once;
  expected.topic = "a/b";
  expected.packet_id = 10;
  expected.payload = bin("hello");
  const publish got = round_trips(wire, v3, expected);
  CHECK(got.qos == qos::at_least_once);
  CHECK(got.packet_id == 10);
}

TEST_CASE("PUBLISH at level 3 QoS 2 with dup and retain has first byte 3d") {
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
  const publish got = round_trips(wire, v3, expected);
  CHECK(got.dup);
  CHECK(got.qos == qos::exactly_once);
  CHECK(got.retain);
}

TEST_CASE("PUBLISH at level 3 with retain may have an empty payload") {
  const auto wire = hex("31 05"           // PUBLISH QoS 0 RETAIN, remaining length 5
                        "00 03 612f62");  // topic "a/b"; payload empty
  publish expected;
  expected.retain = true;
  expected.topic = "a/b";
  const publish got = round_trips(wire, v3, expected);
  CHECK(got.payload.empty());
}

// The acknowledgements

TEST_CASE("PUBACK at level 3 is the packet id alone") {
  const auto wire = hex("40 02"   // PUBACK, remaining length 2
                        "00 01"); // packet id 1
  const puback got = round_trips(wire, v3, with_id<puback>(1));
  CHECK(got.packet_id == 1);
}

TEST_CASE("PUBREC at level 3 is the packet id alone") {
  const auto wire = hex("50 02"   // PUBREC, remaining length 2
                        "00 02"); // packet id 2
  const pubrec got = round_trips(wire, v3, with_id<pubrec>(2));
  CHECK(got.packet_id == 2);
}

TEST_CASE("PUBREL at level 3 has QoS bits 01 and no dup") {
  const auto wire = hex("62 02"   // PUBREL, flags 0010, remaining length 2
                        "00 03"); // packet id 3
  const pubrel got = round_trips(wire, v3, with_id<pubrel>(3));
  CHECK(got.packet_id == 3);
  CHECK_FALSE(got.dup);
}

TEST_CASE("PUBREL resent at level 3 carries DUP in first byte 6a [V31-D06]") {
  const auto wire = hex("6a 02"   // PUBREL, flags 1010: DUP and QoS 1; remaining length 2
                        "00 03"); // packet id 3
  pubrel expected = with_id<pubrel>(3);
  expected.dup = true;
  const pubrel got = round_trips(wire, v3, expected);
  CHECK(got.dup);
  CHECK(got.packet_id == 3);
}

TEST_CASE("PUBCOMP at level 3 is the packet id alone") {
  const auto wire = hex("70 02"   // PUBCOMP, remaining length 2
                        "00 04"); // packet id 4
  const pubcomp got = round_trips(wire, v3, with_id<pubcomp>(4));
  CHECK(got.packet_id == 4);
}

// Subscriptions

TEST_CASE("SUBSCRIBE at level 3 lists filters with their requested QoS") {
  const auto wire = hex("82 12"           // SUBSCRIBE, flags 0010, remaining length 18
                        "00 0b"           // packet id 11
                        "00 03 612f2b 00" // filter "a/+", QoS 0
                        "00 03 622f23 01" // filter "b/#", QoS 1
                        "00 01 63 02");   // filter "c", QoS 2
  const subscription subs[] = {{"a/+", qos::at_most_once}, {"b/#", qos::at_least_once}, {"c", qos::exactly_once}};
  subscribe expected;
  expected.packet_id = 11;
  expected.subscriptions = subs;
  const subscribe got = round_trips(wire, v3, expected);
  CHECK_FALSE(got.dup);
  const auto list = items(got.subscriptions);
  REQUIRE(list.size() == 3);
  CHECK(list[0].topic_filter == "a/+");
  CHECK(list[2].max_qos == qos::exactly_once);
}

TEST_CASE("SUBSCRIBE resent at level 3 carries DUP in first byte 8a [V31-D06]") {
  const auto wire = hex("8a 08"           // SUBSCRIBE, flags 1010: DUP and QoS 1; remaining length 8
                        "00 0b"           // packet id 11
                        "00 03 612f2b 01");  // filter "a/+", QoS 1
  const subscription subs[] = {{"a/+", qos::at_least_once}};
  subscribe expected;
  expected.packet_id = 11;
  expected.subscriptions = subs;
  expected.dup = true;
  const subscribe got = round_trips(wire, v3, expected);
  CHECK(got.dup);
  CHECK(got.packet_id == 11);
}

TEST_CASE("SUBACK at level 3 holds granted QoS values only [V31-D04]") {
  const auto wire = hex("90 05"           // SUBACK, remaining length 5
                        "00 0b"           // packet id 11
                        "00 01 02");      // granted QoS 0, 1, 2
  static const std::uint8_t codes[] = {0x00, 0x01, 0x02};
  suback expected;
  expected.packet_id = 11;
  expected.reason_codes = binary(codes, 3);
  const suback got = round_trips(wire, v3, expected);
  CHECK(got.packet_id == 11);
  CHECK(got.reason_codes == binary(codes, 3));
}

TEST_CASE("UNSUBSCRIBE at level 3 lists its filters back to back") {
  const auto wire = hex("a2 0c"           // UNSUBSCRIBE, flags 0010, remaining length 12
                        "00 0c"           // packet id 12
                        "00 03 612f2b"    // filter "a/+"
                        "00 03 622f23");  // filter "b/#"
  const std::string_view filters[] = {"a/+", "b/#"};
  unsubscribe expected;
  expected.packet_id = 12;
  expected.topic_filters = filters;
  const unsubscribe got = round_trips(wire, v3, expected);
  CHECK_FALSE(got.dup);
  const auto list = items(got.topic_filters);
  REQUIRE(list.size() == 2);
  CHECK(list[1] == "b/#");
}

TEST_CASE("UNSUBSCRIBE resent at level 3 carries DUP in first byte aa [V31-D06]") {
  const auto wire = hex("aa 07"           // UNSUBSCRIBE, flags 1010: DUP and QoS 1; remaining length 7
                        "00 0c"           // packet id 12
                        "00 03 612f2b");  // filter "a/+"
  const std::string_view filters[] = {"a/+"};
  unsubscribe expected;
  expected.packet_id = 12;
  expected.topic_filters = filters;
  expected.dup = true;
  const unsubscribe got = round_trips(wire, v3, expected);
  CHECK(got.dup);
}

TEST_CASE("UNSUBACK at level 3 is the packet id alone") {
  const auto wire = hex("b0 02"   // UNSUBACK, remaining length 2
                        "00 0c"); // packet id 12
  const unsuback got = round_trips(wire, v3, with_id<unsuback>(12));
  CHECK(got.reason_codes.empty());
}

// PINGREQ, PINGRESP, DISCONNECT

TEST_CASE("PINGREQ at level 3 is c0 00") {
  round_trips(hex("c0 00"), v3, pingreq{});  // PINGREQ, remaining length 0
}

TEST_CASE("PINGRESP at level 3 is d0 00") {
  round_trips(hex("d0 00"), v3, pingresp{});  // PINGRESP, remaining length 0
}

TEST_CASE("DISCONNECT at level 3 is e0 00") {
  const disconnect got = round_trips(hex("e0 00"), v3, disconnect{});  // DISCONNECT, length 0
  CHECK(got.reason_code == 0);
}

TEST_CASE("a level 3 stream holding every packet kind and the DUP forms decodes the same at every split") {
  const auto stream = hex("10 10 0006 4d5149736470 03 02 003c 0002 6331"  // CONNECT "c1"
                          "20 02 00 00"                                   // CONNACK accepted
                          "82 08 0001 0003 612f2b 01"                     // SUBSCRIBE 1 "a/+" QoS 1
                          "8a 08 0001 0003 612f2b 01"                     // the same, resent with DUP
                          "90 03 0001 01"                                 // SUBACK 1: QoS 1
                          "32 07 0003 612f62 0002"                        // PUBLISH QoS 1 id 2, empty payload
                          "40 02 0002"                                    // PUBACK 2
                          "34 08 0003 612f62 0003 78"                     // PUBLISH QoS 2 id 3 "x"
                          "50 02 0003"                                    // PUBREC 3
                          "62 02 0003"                                    // PUBREL 3
                          "6a 02 0003"                                    // PUBREL 3 resent with DUP
                          "70 02 0003"                                    // PUBCOMP 3
                          "30 06 0003 612f62 79"                          // PUBLISH QoS 0 "y"
                          "a2 07 0004 0003 612f2b"                        // UNSUBSCRIBE 4 "a/+"
                          "aa 07 0004 0003 612f2b"                        // the same, resent with DUP
                          "b0 02 0004"                                    // UNSUBACK 4
                          "c0 00"                                         // PINGREQ
                          "d0 00"                                         // PINGRESP
                          "e0 00");                                       // DISCONNECT
  const packet_type kinds[] = {packet_type::connect, packet_type::connack, packet_type::subscribe,
                               packet_type::subscribe, packet_type::suback, packet_type::publish,
                               packet_type::puback, packet_type::publish, packet_type::pubrec,
                               packet_type::pubrel, packet_type::pubrel, packet_type::pubcomp,
                               packet_type::publish, packet_type::unsubscribe, packet_type::unsubscribe,
                               packet_type::unsuback, packet_type::pingreq, packet_type::pingresp,
                               packet_type::disconnect};
  bytes rest(stream);
  for (packet_type k : kinds) {
    packet p;
    const result<std::size_t> n = decode(rest, v3, p);
    REQUIRE_MESSAGE(n, (n ? std::string() : n.error().message()));
    CHECK(type_of(p) == k);
    rest = rest.subspan(*n);
  }
  CHECK(rest.empty());
  stream_gives(stream, v3, std::size(kinds));
}

}  // TEST_SUITE
