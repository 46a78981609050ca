// MQTT 5.0 checklist, codec layer: data representation (1.5) and the control packet format (2):
// UTF-8 strings, Variable Byte Integers, string pairs, fixed-header flags, Remaining Length,
// Packet Identifier placement, Property Length, and splitting of the byte stream.
#include <algorithm>
#include <string>

#include "rules_v5.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

TEST_SUITE("codec v5") {

TEST_CASE("rejects a Topic Name that is not well-formed UTF-8 [MQTT-1.5.4-1]") {
  check_rejects(hex("30 07"              // PUBLISH QoS 0, remaining length 7
                    "00 04 61 ed a0 80"  // topic name "a" + U+D800 encoded (surrogate: bad)
                    "00"),               // property length 0
                errc::malformed_packet, 0x81, 5);
  struct bad_text {
    const char* name;
    const char* bytes;
    std::size_t at;  // index of the first bad byte
  };
  const bad_text cases[] = {
      {"overlong U+0000", "c0 80", 0},
      {"overlong two-byte form", "c1 bf", 0},
      {"overlong three-byte form", "e0 9f bf", 0},
      {"overlong four-byte form", "f0 8f bf bf", 0},
      {"surrogate U+D800", "ed a0 80", 0},
      {"surrogate U+DFFF", "ed bf bf", 0},
      {"surrogate pair as two sequences (CESU-8)", "ed a0 bd ed b8 80", 0},
      {"code point above U+10FFFF", "f4 90 80 80", 0},
      {"lead byte F5", "f5 80 80 80", 0},
      {"byte FF", "ff", 0},
      {"lone continuation byte", "61 80", 1},
      {"sequence cut short by the end of the string", "61 62 e2 82", 2},
      {"sequence interrupted by ASCII", "e2 28 a1", 0},
      {"bad byte after eight ASCII bytes", "61 62 63 64 65 66 67 68 c3 28", 8},
  };
  for (const bad_text& c : cases) {
    const std::string name = c.name;
    CAPTURE(name);
    check_rejects(publish_with_topic(hex(c.bytes)), errc::malformed_packet, 0x81, 4 + c.at);
  }
}

TEST_CASE("accepts well-formed UTF-8 of every sequence length up to U+10FFFF [MQTT-1.5.4-1]") {
  const byte_vec topic = hex("61 c3a9 e282ac f09d849e f48fbfbf efbfbd");  // a é € 𝄞 U+10FFFF U+FFFD
  const byte_vec in = publish_with_topic(topic);
  CHECK(check_accepts<publish>(in).topic == sv(topic));
}

TEST_CASE("refuses to encode a string that is not well-formed UTF-8 [MQTT-1.5.4-1]") {
  publish p;
  p.topic = "a\xed\xa0\x80";  // surrogate U+D800
  check_refused(p);
  connect c;
  c.client_id = "\xc0\x80";  // overlong U+0000
  check_refused(c);
  puback a;
  a.packet_id = 1;
  a.reason_code = 0x80;
  a.props.set_reason_string("\xff");
  check_refused(a);
}

TEST_CASE("rejects U+0000 in a string [MQTT-1.5.4-2]") {
  check_rejects(hex("40 09"           // PUBACK, remaining length 9
                    "00 01"           // packet id 1
                    "00"              // reason code 0x00
                    "05"              // property length 5
                    "1f 00 02 61 00"  // Reason String "a" U+0000 (bad)
                    ),
                errc::malformed_packet, 0x81, 10);
  // Long strings take the eight-bytes-at-a-time path of the validator.
  check_rejects(publish_with_topic(hex("61 62 63 64 65 66 67 68 69 00 6a")), errc::malformed_packet, 0x81,
                4 + 9);
}

TEST_CASE("refuses to encode a string containing U+0000 [MQTT-1.5.4-2]") {
  publish p;
  p.topic = std::string_view("a\0b", 3);
  check_refused(p);
  disconnect d;
  d.reason_code = 0x80;
  d.props.set_reason_string(std::string_view("\0", 1));
  check_refused(d);
}

TEST_CASE("keeps U+FEFF wherever it appears in a string [MQTT-1.5.4-3]") {
  const byte_vec in = hex("30 12"                 // PUBLISH QoS 0, remaining length 18
                          "00 06 efbbbf 61 2f 62"  // topic name U+FEFF "a/b"
                          "06"                     // property length 6
                          "03 00 03 efbbbf"        // Content Type U+FEFF
                          "efbbbf");               // payload U+FEFF
  for (bool strict : {false, true}) {
    decode_options o;
    o.reject_disallowed_code_points = strict;  // U+FEFF is not a disallowed code point
    const publish p = check_accepts<publish>(in, o);
    CHECK(p.topic == "\xEF\xBB\xBF" "a/b");
    CHECK(p.props.content_type() == std::optional<std::string_view>("\xEF\xBB\xBF"));
    CHECK(p.payload == bin("\xEF\xBB\xBF"));
  }
  publish p;
  p.topic = "a/\xEF\xBB\xBF";
  CHECK(check_encodes(p) == hex("30 08 00 05 61 2f efbbbf 00"));
}

TEST_CASE("rejects a Remaining Length that is not in its shortest form [MQTT-1.5.5-1]") {
  check_rejects(hex("c0"      // PINGREQ
                    "80 00"), // remaining length 0 in two bytes (bad)
                errc::malformed_packet, 0x81, 2);
  check_rejects(hex("c0 80 80 00"), errc::malformed_packet, 0x81, 3);     // 0 in three bytes
  check_rejects(hex("c0 ff 80 80 00"), errc::malformed_packet, 0x81, 4);  // 127 in four bytes
  check_rejects(hex("40 82 00 00 01"), errc::malformed_packet, 0x81, 2);  // PUBACK, 2 in two bytes
}

TEST_CASE("rejects a Property Length or Subscription Identifier not in its shortest form [MQTT-1.5.5-1]") {
  check_rejects(hex("20 04"   // CONNACK, remaining length 4
                    "00 00"   // flags, reason code 0x00
                    "80 00"), // property length 0 in two bytes (bad)
                errc::malformed_packet, 0x81, 5);
  check_rejects(hex("30 07"      // PUBLISH QoS 0, remaining length 7
                    "00 01 74"   // topic name "t"
                    "03"         // property length 3
                    "0b 81 00"), // Subscription Identifier 1 in two bytes (bad)
                errc::malformed_packet, 0x81, 8);
}

TEST_CASE("writes every Variable Byte Integer in its shortest form [MQTT-1.5.5-1]") {
  struct length_case {
    std::size_t payload;
    const char* remaining_length;
  };
  // Remaining Length of a QoS 0 PUBLISH to "t" without properties: 4 + payload.
  const length_case lengths[] = {{123, "7f"},          {124, "80 01"},          {16'379, "ff 7f"},
                                 {16'380, "80 80 01"}, {2'097'147, "ff ff 7f"}, {2'097'148, "80 80 80 01"}};
  for (const length_case& c : lengths) {
    CAPTURE(c.payload);
    const byte_vec payload(c.payload, 0x61);
    publish p;
    p.topic = "t";
    p.payload = binary(payload.data(), payload.size());
    const byte_vec out = check_encodes(p);
    const byte_vec rl = hex(c.remaining_length);
    REQUIRE(out.size() == 1 + rl.size() + 4 + c.payload);
    CHECK(byte_vec(out.begin() + 1, out.begin() + 1 + static_cast<std::ptrdiff_t>(rl.size())) == rl);
    CHECK(check_accepts<publish>(out) == p);
  }
  struct id_case {
    std::uint32_t value;
    const char* wire;
  };
  const id_case ids[] = {{1, "01"},           {127, "7f"},             {128, "80 01"},
                         {16'383, "ff 7f"},   {16'384, "80 80 01"},    {2'097'151, "ff ff 7f"},
                         {2'097'152, "80 80 80 01"}, {268'435'455, "ff ff ff 7f"}};
  for (const id_case& c : ids) {
    CAPTURE(c.value);
    const std::uint32_t one[] = {c.value};
    publish p;
    p.topic = "t";
    p.props.set_subscription_identifiers(one);
    byte_vec body = hex("00 01 74");  // topic name "t"
    const byte_vec v = hex(c.wire);
    body.push_back(static_cast<std::uint8_t>(1 + v.size()));  // property length
    body.push_back(0x0B);                                     // Subscription Identifier
    body.insert(body.end(), v.begin(), v.end());
    CHECK(check_encodes(p) == frame(0x30, body));
  }
}

TEST_CASE("accepts the largest Variable Byte Integer in four bytes [MQTT-1.5.5-1]") {
  const byte_vec in = hex("30 0a"             // PUBLISH QoS 0, remaining length 10
                          "00 01 74"          // topic name "t"
                          "05"                // property length 5
                          "0b ff ff ff 7f"    // Subscription Identifier 268,435,455
                          "68");              // payload "h"
  const publish p = check_accepts<publish>(in);
  REQUIRE(p.props.subscription_identifiers().size() == 1);
  CHECK(p.props.subscription_identifiers().front() == 268'435'455u);
}

TEST_CASE("rejects a Variable Byte Integer longer than four bytes [V5-U03]") {
  // The fourth byte still has bit 7 set: malformed at once, never "need more".
  const byte_vec head = hex("c0 ff ff ff ff");  // PINGREQ, remaining length of five bytes (bad)
  packet out;
  const result<std::size_t> r = decode(head, v5, out);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::malformed_packet);
  CHECK(r.error().offset == 4);
  check_rejects(hex("c0 ff ff ff ff 7f"), errc::malformed_packet, 0x81, 4);
  check_rejects(hex("20 07"                // CONNACK, remaining length 7
                    "00 00"                // flags, reason code 0x00
                    "ff ff ff ff 7f"),     // property length of five bytes (bad)
                errc::malformed_packet, 0x81, 7);
  check_rejects(hex("30 0a"                // PUBLISH QoS 0, remaining length 10
                    "00 01 74"             // topic name "t"
                    "06"                   // property length 6
                    "0b ff ff ff ff 7f"),  // Subscription Identifier of five bytes (bad)
                errc::malformed_packet, 0x81, 10);
}

TEST_CASE("rejects a User Property whose name or value is not well-formed UTF-8 [MQTT-1.5.7-1]") {
  check_rejects(hex("30 0b"                   // PUBLISH QoS 0, remaining length 11
                    "00 01 74"                // topic name "t"
                    "07"                      // property length 7
                    "26 00 01 ff 00 01 62"),  // User Property name 0xFF (bad), value "b"
                errc::malformed_packet, 0x81, 9);
  check_rejects(hex("30 0b"                   // PUBLISH QoS 0, remaining length 11
                    "00 01 74"                // topic name "t"
                    "07"                      // property length 7
                    "26 00 01 61 00 01 00"),  // User Property name "a", value U+0000 (bad)
                errc::malformed_packet, 0x81, 12);
  check_rejects(hex("30 0d"                         // PUBLISH QoS 0, remaining length 13
                    "00 01 74"                      // topic name "t"
                    "09"                            // property length 9
                    "26 00 01 61 00 03 ed b0 80"),  // User Property "a" = U+DC00 (bad)
                errc::malformed_packet, 0x81, 12);
}

TEST_CASE("refuses to encode a User Property whose name or value is not well-formed UTF-8 [MQTT-1.5.7-1]") {
  const user_property bad_name[] = {{"\xff", "v"}};
  const user_property bad_value[] = {{"n", std::string_view("\0", 1)}};
  for (const auto* ups : {&bad_name, &bad_value}) {
    publish p;
    p.topic = "t";
    p.props.set_user_properties(*ups);
    check_refused(p);
  }
}

TEST_CASE("rejects a string or binary field that runs past the end of the packet [V5-U01]") {
  check_rejects(hex("30 04"         // PUBLISH QoS 0, remaining length 4
                    "00 05 61 62"), // topic name of 5 bytes, 2 present (bad)
                errc::malformed_packet, 0x81, 2);
  check_rejects(hex("30 09"               // PUBLISH QoS 0, remaining length 9
                    "00 01 74"            // topic name "t"
                    "05"                  // property length 5
                    "09 00 05 61 62"),    // Correlation Data of 5 bytes, 2 in the block (bad)
                errc::malformed_packet, 0x81, 7);
  check_rejects(hex("30 0b"                   // PUBLISH QoS 0, remaining length 11
                    "00 01 74"                // topic name "t"
                    "07"                      // property length 7
                    "26 00 01 61 00 09 62"),  // User Property "a", value of 9 bytes, 1 present (bad)
                errc::malformed_packet, 0x81, 10);
}

TEST_CASE("rejects a Property Length that runs past the end of the packet [V5-U01] [V5-U06]") {
  // Like a string whose length prefix is too large, the fault is the Property Length itself.
  check_rejects(hex("20 03"   // CONNACK, remaining length 3
                    "00 00"   // flags, reason code 0x00
                    "05"),    // property length 5, nothing follows (bad)
                errc::malformed_packet, 0x81, 4);
  check_rejects(hex("40 05"   // PUBACK, remaining length 5
                    "00 01"   // packet id 1
                    "80"      // reason code 0x80
                    "09 1f"), // property length 9, one byte follows (bad)
                errc::malformed_packet, 0x81, 5);
}

TEST_CASE("accepts disallowed code points unless asked to reject them [V5-U02]") {
  const char* const disallowed[] = {
      "01",           // U+0001
      "1f",           // U+001F
      "7f",           // U+007F
      "c2 80",        // U+0080
      "c2 9f",        // U+009F
      "ef b7 90",     // U+FDD0, noncharacter
      "ef bf be",     // U+FFFE, noncharacter
      "ef bf bf",     // U+FFFF, noncharacter
      "f0 9f bf be",  // U+1FFFE, noncharacter
      "f4 8f bf bf",  // U+10FFFF, noncharacter
  };
  decode_options strict;
  strict.reject_disallowed_code_points = true;
  for (const char* cp : disallowed) {
    const std::string code_point = cp;
    CAPTURE(code_point);
    byte_vec topic = hex("61");
    const byte_vec c = hex(cp);
    topic.insert(topic.end(), c.begin(), c.end());
    topic.push_back(0x62);
    const byte_vec in = publish_with_topic(topic);
    CHECK(check_accepts<publish>(in).topic == sv(topic));
    check_rejects(in, errc::malformed_packet, 0x81, 4 + 1, strict);
  }
  // Past the eight-byte fast path of the validator.
  check_rejects(publish_with_topic(hex("61 62 63 64 65 66 67 68 69 1f 6a")), errc::malformed_packet, 0x81,
                4 + 9, strict);
  // The option does not touch characters that are merely unusual.
  const byte_vec fine = hex("20 7e c2a0 efbbbf efbfbd f09f9880 efb7af");  // ... U+FDEF is a noncharacter
  check_rejects(publish_with_topic(fine), errc::malformed_packet, 0x81, 4 + 14, strict);
  const byte_vec allowed = hex("20 7e c2a0 efbbbf efbfbd f09f9880");
  const byte_vec in = publish_with_topic(allowed);
  CHECK(check_accepts<publish>(in, strict).topic == sv(allowed));
}

}  // TEST_SUITE
