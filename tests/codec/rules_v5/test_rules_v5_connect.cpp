// MQTT 5.0 checklist, codec layer: CONNECT (3.1). What CONNACK a server sends back and when it
// closes are the connection layer's business; here only the decoder's verdict and the encoder's
// refusals are checked.
#include <algorithm>
#include <string>

#include "rules_v5.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

// CONNECT up to the keep alive, with these Connect Flags: protocol name at byte 2, level at 8,
// flags at 9, keep alive at 10; what follows starts at byte 12.
byte_vec connect_head(std::uint8_t flags) {
  byte_vec b = hex("00 04 4d515454"  // protocol name "MQTT"
                   "05");            // protocol level 5
  b.push_back(flags);
  b.push_back(0x00);  // keep alive 60
  b.push_back(0x3c);
  return b;
}

// A CONNECT with these flags and the bytes after the keep alive.
byte_vec connect_with(std::uint8_t flags, const char* rest_hex) {
  byte_vec body = connect_head(flags);
  const byte_vec rest = hex(rest_hex);
  body.insert(body.end(), rest.begin(), rest.end());
  return frame(0x10, body);
}

}  // namespace

TEST_SUITE("codec v5") {

TEST_CASE("rejects a CONNECT whose Protocol Name is not MQTT [MQTT-3.1.2-1]") {
  // Answering CONNACK 0x84 and closing is for the connection layer; the codec names the code.
  check_rejects(hex("10 0e"           // CONNECT, remaining length 14
                    "00 04 4d515458"  // protocol name "MQTX" (bad)
                    "05"              // protocol level 5
                    "02"              // connect flags: clean start
                    "00 3c"           // keep alive 60
                    "00"              // property length 0
                    "00 01 61"),      // client id "a"
                errc::unsupported_protocol_version, 0x84, 2);
  check_rejects(hex("10 0e 00 04 6d717474 05 02 00 3c 00 00 01 61"),  // "mqtt"
                errc::unsupported_protocol_version, 0x84, 2);
  const byte_vec mqtt = hex("10 0e 00 04 4d515454 05 02 00 3c 00 00 01 61");
  CHECK(check_accepts<connect>(mqtt).version == protocol_version::v5);
  // "MQIsdp" is handed to the MQTT 3.1 profile.
  const byte_vec mqisdp = hex("10 0f 00 06 4d5149736470 03 02 00 3c 00 01 61");
  CHECK(check_accepts<connect>(mqisdp).version == protocol_version::v3_1);
}

TEST_CASE("rejects a CONNECT whose reserved Connect Flag is set [MQTT-3.1.2-3]") {
  check_rejects(hex("10 0e"           // CONNECT, remaining length 14
                    "00 04 4d515454"  // protocol name "MQTT"
                    "05"              // protocol level 5
                    "03"              // connect flags: clean start + reserved bit 0 (bad)
                    "00 3c"           // keep alive 60
                    "00"              // property length 0
                    "00 01 61"),      // client id "a"
                errc::malformed_packet, 0x81, 9);
  check_rejects(connect_with(0x01, "00 00 01 61"), errc::malformed_packet, 0x81, 9);
}

TEST_CASE("rejects a CONNECT with the Will Flag but without Will Properties Topic or Payload [MQTT-3.1.2-9]") {
  check_rejects(hex("10 0e"           // CONNECT, remaining length 14
                    "00 04 4d515454"  // protocol name "MQTT"
                    "05"              // protocol level 5
                    "06"              // connect flags: clean start + will
                    "00 3c"           // keep alive 60
                    "00"              // property length 0
                    "00 01 61"),      // client id "a"; Will Properties missing (bad)
                errc::malformed_packet, 0x81, 16);
  check_rejects(connect_with(0x06, "00 00 01 61"
                                   "00"),  // will property length 0; Will Topic missing (bad)
                errc::malformed_packet, 0x81, 17);
  check_rejects(connect_with(0x06, "00 00 01 61 00"
                                   "00 01 74"),  // Will Topic "t"; Will Payload missing (bad)
                errc::malformed_packet, 0x81, 20);
  const byte_vec full = connect_with(0x06, "00 00 01 61 00 00 01 74 00 02 68 69");
  const connect c = check_accepts<connect>(full);
  REQUIRE(c.will);
  CHECK(c.will->topic == "t");
  CHECK(c.will->payload == bin("hi"));
}

TEST_CASE("refuses to encode a Will without a Will Topic [MQTT-3.1.2-9]") {
  connect c;
  c.client_id = "a";
  c.will.emplace();
  c.will->payload = bin("hi");
  check_refused(c);
}

TEST_CASE("rejects Will QoS or Will Retain without the Will Flag [MQTT-3.1.2-11] [MQTT-3.1.2-13]") {
  check_rejects(hex("10 0e"           // CONNECT, remaining length 14
                    "00 04 4d515454"  // protocol name "MQTT"
                    "05"              // protocol level 5
                    "0a"              // connect flags: clean start + Will QoS 1, no Will Flag (bad)
                    "00 3c"           // keep alive 60
                    "00"              // property length 0
                    "00 01 61"),      // client id "a"
                errc::malformed_packet, 0x81, 9);
  for (std::uint8_t flags : {0x12, 0x1a, 0x22, 0x3a}) {  // Will QoS 2, Will QoS 3, Will Retain
    CAPTURE(int{flags});
    check_rejects(connect_with(flags, "00 00 01 61"), errc::malformed_packet, 0x81, 9);
  }
}

TEST_CASE("rejects a CONNECT with Will QoS 3 [MQTT-3.1.2-12]") {
  check_rejects(connect_with(0x1e,              // connect flags: clean start + will + Will QoS 3 (bad)
                             "00 00 01 61"      // properties, client id "a"
                             "00 00 01 74"      // will properties, Will Topic "t"
                             "00 00"),          // Will Payload empty
                errc::malformed_packet, 0x81, 9);
  for (std::uint8_t flags : {0x06, 0x0e, 0x16, 0x26}) {  // Will QoS 0, 1, 2; Will Retain
    CAPTURE(int{flags});
    const byte_vec in = connect_with(flags, "00 00 01 61 00 00 01 74 00 00");
    CHECK(check_accepts<connect>(in).will.has_value());
  }
  connect c;
  c.client_id = "a";
  c.will.emplace();
  c.will->topic = "t";
  c.will->qos = static_cast<qos>(3);
  check_refused(c);
}

TEST_CASE("rejects a CONNECT with a User Name its flags do not announce [MQTT-3.1.2-16]") {
  check_rejects(connect_with(0x02,          // connect flags: clean start, no User Name Flag
                             "00 00 01 61"  // properties, client id "a"
                             "00 01 75"),   // a User Name "u" (bad: left over)
                errc::malformed_packet, 0x81, 16);
}

TEST_CASE("rejects a CONNECT without the User Name its flags announce [MQTT-3.1.2-17]") {
  check_rejects(connect_with(0x82,           // connect flags: clean start + User Name Flag
                             "00 00 01 61"), // properties, client id "a"; no User Name (bad)
                errc::malformed_packet, 0x81, 16);
  const byte_vec in = connect_with(0x82, "00 00 01 61 00 01 75");
  CHECK(check_accepts<connect>(in).username == std::optional<std::string_view>("u"));
}

TEST_CASE("rejects a CONNECT with a Password its flags do not announce [MQTT-3.1.2-18]") {
  check_rejects(connect_with(0x82,          // connect flags: clean start + User Name Flag
                             "00 00 01 61"  // properties, client id "a"
                             "00 01 75"     // User Name "u"
                             "00 01 70"),   // a Password "p" (bad: left over)
                errc::malformed_packet, 0x81, 19);
}

TEST_CASE("rejects a CONNECT without the Password its flags announce [MQTT-3.1.2-19]") {
  check_rejects(connect_with(0xc2,          // connect flags: clean start + User Name + Password
                             "00 00 01 61"  // properties, client id "a"
                             "00 01 75"),   // User Name "u"; no Password (bad)
                errc::malformed_packet, 0x81, 19);
  // 5.0 allows a Password without a User Name.
  const byte_vec in = connect_with(0x42, "00 00 01 61 00 01 70");
  const connect c = check_accepts<connect>(in);
  CHECK_FALSE(c.username);
  CHECK(c.password == std::optional<binary>(bin("p")));
  connect out;
  out.client_id = "a";
  out.keep_alive = 60;
  out.password = bin("p");
  CHECK(check_encodes(out) == in);
}

TEST_CASE("reads the CONNECT payload fields in their fixed order [MQTT-3.1.3-1]") {
  const byte_vec in = hex("10 2b"            // CONNECT, remaining length 43
                          "00 04 4d515454"   // protocol name "MQTT"
                          "05"               // protocol level 5
                          "ee"               // flags: user name, password, will retain, QoS 1, will, clean
                          "00 3c"            // keep alive 60
                          "05 11 0000003c"   // properties: Session Expiry Interval 60
                          "00 02 6331"       // client id "c1"
                          "05 18 0000000a"   // will properties: Will Delay Interval 10
                          "00 03 772f74"     // Will Topic "w/t"
                          "00 03 627965"     // Will Payload "bye"
                          "00 01 75"         // User Name "u"
                          "00 02 7077");     // Password "pw"
  const connect c = check_accepts<connect>(in);
  CHECK(c.props.session_expiry_interval() == std::optional<std::uint32_t>(60));
  CHECK(c.client_id == "c1");
  REQUIRE(c.will);
  CHECK(c.will->props.will_delay_interval() == std::optional<std::uint32_t>(10));
  CHECK(c.will->topic == "w/t");
  CHECK(c.will->payload == bin("bye"));
  CHECK(c.will->qos == qos::at_least_once);
  CHECK(c.will->retain);
  CHECK(c.username == std::optional<std::string_view>("u"));
  CHECK(c.password == std::optional<binary>(bin("pw")));
  CHECK(check_encodes(c) == in);
  // A Password sent before the User Name is read as the User Name.
  check_rejects(connect_with(0xc2,          // connect flags: clean start + User Name + Password
                             "00 00 01 61"  // properties, client id "a"
                             "00 01 ff"     // the Password, where the User Name belongs (bad)
                             "00 01 75"),   // the User Name
                errc::malformed_packet, 0x81, 18);
}

TEST_CASE("rejects a CONNECT without a Client Identifier [MQTT-3.1.3-3]") {
  check_rejects(hex("10 0b"           // CONNECT, remaining length 11
                    "00 04 4d515454"  // protocol name "MQTT"
                    "05 02 00 3c"     // level 5, clean start, keep alive 60
                    "00"),            // property length 0; no client id (bad)
                errc::malformed_packet, 0x81, 13);
  const byte_vec empty_id = connect_with(0x02, "00 00 00");
  CHECK(check_accepts<connect>(empty_id).client_id.empty());
}

TEST_CASE("rejects a Client Identifier that is not well-formed UTF-8 [MQTT-3.1.3-4]") {
  check_rejects(connect_with(0x02,              // connect flags: clean start
                             "00"               // property length 0
                             "00 03 ed a0 80"), // client id U+D800 (bad)
                errc::malformed_packet, 0x81, 15);
  connect c;
  c.client_id = "\xed\xa0\x80";
  check_refused(c);
}

TEST_CASE("rejects a Will Topic that is not well-formed UTF-8 [MQTT-3.1.3-11]") {
  check_rejects(connect_with(0x06,           // connect flags: clean start + will
                             "00 00 01 61"   // properties, client id "a"
                             "00"            // will property length 0
                             "00 01 ff"      // Will Topic 0xFF (bad)
                             "00 00"),       // Will Payload empty
                errc::malformed_packet, 0x81, 19);
  connect c;
  c.client_id = "a";
  c.will.emplace();
  c.will->topic = "\xff";
  check_refused(c);
}

TEST_CASE("rejects a User Name that is not well-formed UTF-8 [MQTT-3.1.3-12]") {
  check_rejects(connect_with(0x82,           // connect flags: clean start + User Name
                             "00 00 01 61"   // properties, client id "a"
                             "00 01 ff"),    // User Name 0xFF (bad)
                errc::malformed_packet, 0x81, 18);
  connect c;
  c.client_id = "a";
  c.username = std::string_view("\0", 1);
  check_refused(c);
}

TEST_CASE("rejects a CONNECT that breaks the layout of section 3.1 [MQTT-3.1.4-1]") {
  // Closing the connection afterwards is the connection layer's business.
  check_rejects(connect_with(0x02, "03 23 00 01"  // Topic Alias: not a CONNECT property (bad)
                                   "00 01 61"),
                errc::malformed_packet, 0x81, 13);
  check_rejects(connect_with(0x02, "06 21 00 0a 21 00 0a"  // Receive Maximum twice (bad)
                                   "00 01 61"),
                errc::protocol_error, 0x82, 16);
  check_rejects(connect_with(0x02, "00 00 01 61"
                                   "ff"),  // a byte after the last field (bad)
                errc::malformed_packet, 0x81, 16);
}

TEST_CASE("rejects Authentication Data in CONNECT without an Authentication Method [V5-U13]") {
  check_rejects(hex("10 12"           // CONNECT, remaining length 18
                    "00 04 4d515454"  // protocol name "MQTT"
                    "05 02 00 3c"     // level 5, clean start, keep alive 60
                    "04"              // property length 4
                    "16 00 01 64"     // Authentication Data "d", no Authentication Method (bad)
                    "00 01 61"),      // client id "a"
                errc::protocol_error, 0x82, 13);
  for (const char* props : {"08 15 00 01 6d 16 00 01 64", "08 16 00 01 64 15 00 01 6d"}) {
    const std::string order = props;
    CAPTURE(order);
    byte_vec rest = hex(props);
    const byte_vec id = hex("00 01 61");
    rest.insert(rest.end(), id.begin(), id.end());
    byte_vec body = connect_head(0x02);
    body.insert(body.end(), rest.begin(), rest.end());
    const byte_vec in = frame(0x10, body);
    const connect c = check_accepts<connect>(in);
    CHECK(c.props.authentication_method() == std::optional<std::string_view>("m"));
    CHECK(c.props.authentication_data() == std::optional<binary>(bin("d")));
  }
  connect c;
  c.client_id = "a";
  c.props.set_authentication_data(bin("d"));
  check_refused(c);
}

TEST_CASE("rejects a Will Payload marked UTF-8 that is not when asked to check [V5-U15]") {
  const byte_vec in = connect_with(0x06,           // connect flags: clean start + will
                                   "00 00 01 61"   // properties, client id "a"
                                   "02 01 01"      // will properties: Payload Format Indicator 1
                                   "00 01 74"      // Will Topic "t"
                                   "00 02 c3 28"); // Will Payload: C3 is not followed by a continuation byte
  CHECK(check_accepts<connect>(in).will->payload.size() == 2);  // accepted by default
  decode_options o;
  o.check_payload_format = true;
  check_rejects(in, errc::payload_format_invalid, 0x99, 24, o);
  const byte_vec fine = connect_with(0x06, "00 00 01 61 02 01 01 00 01 74 00 02 c3 a9");
  CHECK(check_accepts<connect>(fine, o).will->payload == bin("\xc3\xa9"));
}

TEST_CASE("rejects a Will Topic with a wildcard [MQTT-4.7.0-1]") {
  check_rejects(connect_with(0x06, "00 00 01 61 00"
                                   "00 03 61 2f 2b"  // Will Topic "a/+" (bad)
                                   "00 00"),
                errc::topic_name_invalid, 0x90, 17);
  connect c;
  c.client_id = "a";
  c.will.emplace();
  c.will->topic = "a/#";
  check_refused(c);
}

TEST_CASE("rejects an empty Will Topic [MQTT-4.7.3-1]") {
  // A Will carries no Topic Alias, so an empty Will Topic is never legal.
  check_rejects(connect_with(0x06, "00 00 01 61 00"
                                   "00 00"   // Will Topic empty (bad)
                                   "00 00"),
                errc::protocol_error, 0x82, 17);
}

}  // TEST_SUITE
