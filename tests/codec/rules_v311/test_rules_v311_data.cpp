// Codec rules of MQTT 3.1.1 (../shared/spec/conformance-v311.md), data representation (1.5):
// UTF-8 strings and length-prefixed fields. Each check runs at level 3 ("MQIsdp") and 4 ("MQTT").
#include <string>
#include <vector>

#include "rules_v311.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

TEST_SUITE("codec v311") {

TEST_CASE("rejects ill-formed UTF-8 and encoded surrogates in a text field [MQTT-1.5.3-1 v3.1.1]") {
  const auto good = hex("30 03"        // PUBLISH QoS 0, remaining length 3
                        "00 01 61");   // topic name "a"
  const auto surrogate = hex("30 06"               // PUBLISH QoS 0, remaining length 6
                             "00 04 61 ed a0 80");  // topic name "a" U+D800 (surrogate: bad)
  const auto overlong = hex("30 05"            // PUBLISH QoS 0, remaining length 5
                            "00 03 61 c0 af");  // topic name "a" then overlong '/' (bad)
  const auto cut = hex("30 04"         // PUBLISH QoS 0, remaining length 4
                       "00 02 61 e2");  // topic name "a" then a cut 3-byte sequence (bad)
  const auto euro = hex("30 06"               // PUBLISH QoS 0, remaining length 6
                        "00 04 61 e2 82 ac");  // topic name "a" U+20AC
  for (protocol_version v : levels) {
    check_rejected(surrogate, v, errc::malformed_packet, 0x81, 5);
    check_rejected(overlong, v, errc::malformed_packet, 0x81, 5);
    check_rejected(cut, v, errc::malformed_packet, 0x81, 5);
    CHECK(accepted<publish>(euro, v).topic == "a\xE2\x82\xAC");
    check_stream_rejects(good, surrogate, v, errc::malformed_packet, 0x81, 5);
    publish p;
    p.topic = "a\xED\xA0\x80";
    check_refused(p, v);
  }
}

TEST_CASE("rejects U+0000 in a text field [MQTT-1.5.3-2 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto nul = connect_at(l, "02"             // connect flags: clean session
                                   "00 3c"          // keep alive 60 s
                                   "00 02 61 00");  // client id "a" U+0000 (bad)
    const auto overlong_nul = connect_at(l, "02"                // connect flags: clean session
                                            "00 3c"             // keep alive 60 s
                                            "00 03 61 c0 80");  // client id "a" C0 80 (bad)
    const auto good = connect_at(l, "02"          // connect flags: clean session
                                    "00 3c"       // keep alive 60 s
                                    "00 01 61");  // client id "a"
    check_rejected(nul, l.v, errc::malformed_packet, 0x81, l.flags_at + 6);
    check_rejected(overlong_nul, l.v, errc::malformed_packet, 0x81, l.flags_at + 6);
    CHECK(accepted<connect>(good, l.v).client_id == "a");
    check_stream_rejects(good, nul, l.v, errc::malformed_packet, 0x81, l.flags_at + 6);
    connect c;
    c.version = l.v;
    c.client_id = std::string_view("a\0", 2);
    check_refused(c, l.v);
  }
}

TEST_CASE("keeps EF BB BF as U+FEFF wherever it sits [MQTT-1.5.3-3 v3.1.1]") {
  const auto leading = hex("30 06"               // PUBLISH QoS 0, remaining length 6
                           "00 04 ef bb bf 61");  // topic name U+FEFF "a"
  const auto inside = hex("30 07"                  // PUBLISH QoS 0, remaining length 7
                          "00 05 61 ef bb bf 62");  // topic name "a" U+FEFF "b"
  decode_options strict;
  strict.reject_disallowed_code_points = true;  // U+FEFF is not a disallowed code point
  for (protocol_version v : levels) {
    CHECK(accepted<publish>(leading, v).topic == "\xEF\xBB\xBF" "a");
    CHECK(accepted<publish>(inside, v).topic == "a\xEF\xBB\xBF" "b");
    CHECK(accepted<publish>(leading, v, strict).topic == "\xEF\xBB\xBF" "a");
    publish p;
    p.topic = "\xEF\xBB\xBF" "a";
    const auto out = encode_bytes(p, v);
    REQUIRE(out);
    CHECK(*out == leading);
  }
}

TEST_CASE("rejects a string or binary field that runs past the end of the packet [V311-U01]") {
  const auto topic = hex("30 03"      // PUBLISH QoS 0, remaining length 3
                         "00 05 61");  // topic name of 5 bytes, only 1 left (bad)
  const auto length = hex("30 01"     // PUBLISH QoS 0, remaining length 1
                          "00");      // half a topic length (bad)
  for (protocol_version v : levels) {
    check_rejected(topic, v, errc::malformed_packet, 0x81, 2);
    check_rejected(length, v, errc::malformed_packet, 0x81, 2);
    check_stream_rejects(hex("30 03 00 01 61"), topic, v, errc::malformed_packet, 0x81, 2);
  }
  for (const connect_level& l : connect_levels) {
    const auto password = connect_at(l, "c2"         // connect flags: user name, password, clean
                                        "00 3c"      // keep alive 60 s
                                        "00 01 61"   // client id "a"
                                        "00 01 75"   // user name "u"
                                        "00 05 70");  // password of 5 bytes, only 1 left (bad)
    check_rejected(password, l.v, errc::malformed_packet, 0x81, l.flags_at + 9);
  }
}

TEST_CASE("accepts control characters and noncharacters unless told to reject them [V311-U02]") {
  const char* fixtures[] = {
      "30 05 00 03 61 01 62",     // PUBLISH, topic "a" U+0001 "b"
      "30 05 00 03 61 7f 62",     // PUBLISH, topic "a" U+007F "b"
      "30 05 00 03 61 c2 85",     // PUBLISH, topic "a" U+0085
      "30 06 00 04 61 ef bf bf",  // PUBLISH, topic "a" U+FFFF (noncharacter)
      "30 06 00 04 61 ef b7 90",  // PUBLISH, topic "a" U+FDD0 (noncharacter)
  };
  decode_options strict;
  strict.reject_disallowed_code_points = true;
  CHECK_FALSE(decode_options{}.reject_disallowed_code_points);
  for (protocol_version v : levels) {
    for (const char* f : fixtures) {
      const auto in = hex(f);
      CHECK(accepted<publish>(in, v).topic == mqttconn::test::text(in).substr(4));
      check_rejected(in, v, errc::malformed_packet, 0x81, 5, strict);
    }
  }
}

}  // TEST_SUITE
