// MQTT 5.0 checklist, codec layer: PUBLISH (3.3) and Topic Names (4.7). Topic Alias ranges,
// Receive Maximum and what a receiver answers are session rules, tested elsewhere.
#include <algorithm>
#include <string>

#include "rules_v5.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

// A QoS 0 PUBLISH to "t" whose property block holds `props_hex`, then `payload_hex`; the
// properties start at byte 6.
byte_vec publish_with_props(const char* props_hex, const char* payload_hex = "") {
  const byte_vec props = hex(props_hex);
  byte_vec body = hex("00 01 74");  // topic name "t"
  body.push_back(static_cast<std::uint8_t>(props.size()));
  body.insert(body.end(), props.begin(), props.end());
  const byte_vec payload = hex(payload_hex);
  body.insert(body.end(), payload.begin(), payload.end());
  return frame(0x30, body);
}

}  // namespace

TEST_SUITE("codec v5") {

TEST_CASE("rejects a QoS 0 PUBLISH with DUP set [MQTT-3.3.1-2]") {
  check_rejects(hex("38 06"      // PUBLISH, flags 1000: DUP with QoS 0 (bad)
                    "00 01 74"   // topic name "t"
                    "00"         // property length 0
                    "68 69"),    // payload "hi"
                errc::malformed_packet, 0x81, 0);
  check_rejects(hex("39 06 00 01 74 00 68 69"), errc::malformed_packet, 0x81, 0);  // DUP + RETAIN
  const byte_vec in = hex("3a 08"      // PUBLISH, flags 1010: DUP with QoS 1
                          "00 01 74"   // topic name "t"
                          "00 07"      // packet id 7
                          "00"         // property length 0
                          "68 69");    // payload "hi"
  const publish p = check_accepts<publish>(in);
  CHECK(p.dup);
  CHECK(p.qos == qos::at_least_once);
  publish out;
  out.topic = "t";
  out.dup = true;
  check_refused(out);
}

TEST_CASE("rejects a PUBLISH with QoS 3 [MQTT-3.3.1-4]") {
  check_rejects(hex("36 08"      // PUBLISH, flags 0110: QoS 3 (bad)
                    "00 01 74"   // topic name "t"
                    "00 07"      // packet id 7
                    "00"         // property length 0
                    "68 69"),    // payload "hi"
                errc::malformed_packet, 0x81, 0);
  for (std::uint8_t first : {0x37, 0x3e, 0x3f}) {
    CAPTURE(int{first});
    check_rejects(byte_vec{first, 0x06, 0x00, 0x01, 0x74, 0x00, 0x68, 0x69}, errc::malformed_packet, 0x81, 0);
  }
  publish out;
  out.topic = "t";
  out.qos = static_cast<qos>(3);
  out.packet_id = 7;
  check_refused(out);
}

TEST_CASE("reads the Topic Name first and requires it to be well-formed UTF-8 [MQTT-3.3.2-1]") {
  const byte_vec in = hex("32 0a"          // PUBLISH QoS 1, remaining length 10
                          "00 03 612f62"   // topic name "a/b"
                          "00 07"          // packet id 7
                          "00"             // property length 0
                          "68 69");        // payload "hi"
  const publish p = check_accepts<publish>(in);
  CHECK(p.topic == "a/b");
  CHECK(p.packet_id == 7);
  CHECK(p.payload == bin("hi"));
  check_rejects(hex("32 0a"          // PUBLISH QoS 1, remaining length 10
                    "00 03 612fff"   // topic name "a/" 0xFF (bad)
                    "00 07"          // packet id 7
                    "00"             // property length 0
                    "68 69"),        // payload "hi"
                errc::malformed_packet, 0x81, 6);
}

TEST_CASE("rejects a Topic Name with a wildcard [MQTT-3.3.2-2] [MQTT-4.7.0-1]") {
  check_rejects(hex("30 08"         // PUBLISH QoS 0, remaining length 8
                    "00 03 612f2b"  // topic name "a/+" (bad)
                    "00"            // property length 0
                    "68 69"),       // payload "hi"
                errc::topic_name_invalid, 0x90, 2);
  for (const char* topic : {"+", "#", "a/#", "a/b+", "+/x", "a#b", "sport/tennis/#", "abcdefghijk+"}) {
    const std::string t = topic;
    CAPTURE(t);
    check_rejects(publish_with_topic(byte_vec(t.begin(), t.end())), errc::topic_name_invalid, 0x90, 2);
    publish out;
    out.topic = topic;
    check_refused(out);
  }
  for (const char* topic : {"a/b", "/", "$SYS/x", "a//b", "sport/tennis/player1"}) {
    const std::string t = topic;
    CAPTURE(t);
    const byte_vec in = publish_with_topic(byte_vec(t.begin(), t.end()));
    CHECK(check_accepts<publish>(in).topic == t);
  }
}

TEST_CASE("rejects a Topic Alias of 0 [MQTT-3.3.2-8]") {
  // Whether an alias is above the receiver's Topic Alias Maximum needs connection state.
  check_rejects(hex("30 07"       // PUBLISH QoS 0, remaining length 7
                    "00 01 74"    // topic name "t"
                    "03"          // property length 3
                    "23 00 00"),  // Topic Alias 0 (bad)
                errc::topic_alias_invalid, 0x94, 6);
  const byte_vec one = publish_with_props("23 00 01");
  CHECK(check_accepts<publish>(one).props.topic_alias() == std::optional<std::uint16_t>(1));
  const byte_vec top = publish_with_props("23 ff ff");
  CHECK(check_accepts<publish>(top).props.topic_alias() == std::optional<std::uint16_t>(65535));
  publish out;
  out.topic = "t";
  out.props.set_topic_alias(0);
  check_refused(out);
}

TEST_CASE("rejects a Response Topic that is not well-formed UTF-8 [MQTT-3.3.2-13]") {
  check_rejects(hex("30 08"         // PUBLISH QoS 0, remaining length 8
                    "00 01 74"      // topic name "t"
                    "04"            // property length 4
                    "08 00 01 ff"), // Response Topic 0xFF (bad)
                errc::malformed_packet, 0x81, 9);
  publish out;
  out.topic = "t";
  out.props.set_response_topic("\xed\xa0\x80");
  check_refused(out);
}

TEST_CASE("rejects a Response Topic with a wildcard [MQTT-3.3.2-14]") {
  check_rejects(hex("30 0a"               // PUBLISH QoS 0, remaining length 10
                    "00 01 74"            // topic name "t"
                    "06"                  // property length 6
                    "08 00 03 72 2f 2b"), // Response Topic "r/+" (bad)
                errc::protocol_error, 0x82, 6);
  check_rejects(publish_with_props("08 00 01 23"), errc::protocol_error, 0x82, 6);  // "#"
  check_rejects(hex("10 19"            // CONNECT, remaining length 25
                    "00 04 4d515454"   // protocol name "MQTT"
                    "05 06 00 3c"      // level 5, clean start + will, keep alive 60
                    "00"               // property length 0
                    "00 01 61"         // client id "a"
                    "05 08 00 02 72 2b"  // will properties: Response Topic "r+" (bad)
                    "00 01 74"         // Will Topic "t"
                    "00 00"),          // Will Payload empty
                errc::protocol_error, 0x82, 17);
  const byte_vec fine = publish_with_props("08 00 03 72 2f 73");
  CHECK(check_accepts<publish>(fine).props.response_topic() == std::optional<std::string_view>("r/s"));
  publish out;
  out.topic = "t";
  out.props.set_response_topic("r/#");
  check_refused(out);
}

TEST_CASE("rejects a Content Type that is not well-formed UTF-8 [MQTT-3.3.2-19]") {
  check_rejects(hex("30 09"            // PUBLISH QoS 0, remaining length 9
                    "00 01 74"         // topic name "t"
                    "05"               // property length 5
                    "03 00 02 c3 28"), // Content Type: C3 without its continuation byte (bad)
                errc::malformed_packet, 0x81, 9);
  const byte_vec fine = publish_with_props("03 00 10 6170706c69636174696f6e2f6a736f6e");
  CHECK(check_accepts<publish>(fine).props.content_type() == std::optional<std::string_view>("application/json"));
  publish out;
  out.topic = "t";
  out.props.set_content_type("\xc3\x28");
  check_refused(out);
}

TEST_CASE("rejects a payload marked UTF-8 that is not when asked to check [V5-U15]") {
  const byte_vec in = hex("30 08"      // PUBLISH QoS 0, remaining length 8
                          "00 01 74"   // topic name "t"
                          "02"         // property length 2
                          "01 01"      // Payload Format Indicator 1: UTF-8
                          "68 ff");    // payload "h" 0xFF
  CHECK(check_accepts<publish>(in).payload.size() == 2);  // accepted by default
  decode_options o;
  o.check_payload_format = true;
  check_rejects(in, errc::payload_format_invalid, 0x99, 9, o);
  // Unspecified bytes, or valid UTF-8, pass the check.
  const byte_vec bytes_ = publish_with_props("01 00", "68 ff");
  CHECK(check_accepts<publish>(bytes_, o).payload.size() == 2);
  const byte_vec text_ = publish_with_props("01 01", "68 c3 a9 e2 82 ac");
  CHECK(check_accepts<publish>(text_, o).payload.size() == 6);
  const byte_vec empty = publish_with_props("01 01");
  CHECK(check_accepts<publish>(empty, o).payload.empty());
}

TEST_CASE("accepts U+0000 in a payload marked UTF-8 when asked to check [V5-U15]") {
  // The payload is UTF-8 Encoded Character Data, not a UTF-8 Encoded String: U+0000 is
  // well-formed UTF-8 and only strings exclude it [MQTT-1.5.4-2].
  const byte_vec in = hex("30 08"      // PUBLISH QoS 0, remaining length 8
                          "00 01 74"   // topic name "t"
                          "02"         // property length 2
                          "01 01"      // Payload Format Indicator 1: UTF-8
                          "68 00");    // payload "h" U+0000
  decode_options o;
  o.check_payload_format = true;
  const publish p = check_accepts<publish>(in, o);
  CHECK(p.payload == bin(std::string_view("h\0", 2)));
}

TEST_CASE("rejects an empty Topic Name without a Topic Alias [MQTT-4.7.3-1] [V5-U16]") {
  check_rejects(hex("30 05"     // PUBLISH QoS 0, remaining length 5
                    "00 00"     // topic name empty (bad: no Topic Alias)
                    "00"        // property length 0
                    "68 69"),   // payload "hi"
                errc::protocol_error, 0x82, 2);
  const byte_vec aliased = hex("30 08"      // PUBLISH QoS 0, remaining length 8
                               "00 00"      // topic name empty
                               "03"         // property length 3
                               "23 00 01"   // Topic Alias 1
                               "68 69");    // payload "hi"
  const publish p = check_accepts<publish>(aliased);
  CHECK(p.topic.empty());
  CHECK(p.props.topic_alias() == std::optional<std::uint16_t>(1));
  CHECK(check_encodes(p) == aliased);
  publish out;
  out.payload = bin("hi");
  check_refused(out);
}

TEST_CASE("accepts a PUBLISH with an empty payload [V5-U35]") {
  const byte_vec in = hex("30 04"      // PUBLISH QoS 0, remaining length 4
                          "00 01 74"   // topic name "t"
                          "00");       // property length 0, no payload
  CHECK(check_accepts<publish>(in).payload.empty());
  publish out;
  out.topic = "t";
  CHECK(check_encodes(out) == in);
  const byte_vec qos2 = hex("34 06 00 01 74 00 09 00");  // QoS 2, packet id 9, no payload
  const publish p = check_accepts<publish>(qos2);
  CHECK(p.qos == qos::exactly_once);
  CHECK(p.payload.empty());
}

TEST_CASE("rejects U+0000 in a Topic Name [MQTT-4.7.3-2]") {
  check_rejects(hex("30 06"          // PUBLISH QoS 0, remaining length 6
                    "00 03 61 00 62" // topic name "a" U+0000 "b" (bad)
                    "00"),           // property length 0
                errc::malformed_packet, 0x81, 5);
  publish out;
  out.topic = std::string_view("a\0b", 3);
  check_refused(out);
}

TEST_CASE("refuses to encode a Topic Name longer than 65535 bytes [MQTT-4.7.3-3]") {
  const std::string too_long(65'536, 'a');
  publish out;
  out.topic = too_long;
  check_refused(out);
  const std::string longest(65'535, 'a');
  out.topic = longest;
  const byte_vec wire = check_encodes(out);
  CHECK(wire.size() == 1 + 3 + 2 + 65'535 + 1);
  CHECK(check_accepts<publish>(wire).topic == longest);
}

}  // TEST_SUITE
