// Codec rules of MQTT 3.1.1 (../shared/spec/conformance-v311.md), sections 3.1.3 and 3.1.4
// CONNECT payload and checks, protocol level, and the Will Topic as a Topic Name (4.7).
// Each check runs at level 3 ("MQIsdp") and 4.
#include <string>
#include <vector>

#include "rules_v311.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

TEST_SUITE("codec v311") {

TEST_CASE("reads the payload fields in the order client id Will user name password [MQTT-3.1.3-1 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto good = connect_at(l, "c6"          // connect flags: user, password, Will, clean
                                    "00 3c"       // keep alive 60 s
                                    "00 01 63"    // client id "c"
                                    "00 01 74"    // Will Topic "t"
                                    "00 01 6d"    // Will Message "m"
                                    "00 01 75"    // user name "u"
                                    "00 01 70");  // password "p"
    const auto missing = connect_at(l, "c6"          // connect flags: user, password, Will, clean
                                       "00 3c"       // keep alive 60 s
                                       "00 01 63"    // client id "c"
                                       "00 01 75"    // user name "u" (read as the Will Topic)
                                       "00 01 70");  // password "p" (read as the Will Message)
    const connect c = accepted<connect>(good, l.v);
    CHECK(c.client_id == "c");
    REQUIRE(c.will.has_value());
    CHECK(c.will->topic == "t");
    CHECK(c.will->payload == bin("m"));
    CHECK(c.username == std::optional<std::string_view>("u"));
    CHECK(c.password == std::optional<binary>(bin("p")));
    const auto out = encode_bytes(c, l.v);
    REQUIRE(out);
    CHECK(*out == good);
    check_malformed(missing, l.v, l.flags_at + 12);
  }
}

TEST_CASE("needs the Client Identifier as the first payload field [MQTT-3.1.3-3 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto none = connect_at(l, "02"      // connect flags: clean session
                                    "00 3c");  // keep alive 60 s, then no client id (bad)
    const auto cut = connect_at(l, "02"          // connect flags: clean session
                                   "00 3c"       // keep alive 60 s
                                   "00 05 61");  // client id of 5 bytes, only 1 left (bad)
    check_malformed(none, l.v, l.flags_at + 3);
    check_malformed(cut, l.v, l.flags_at + 3);
    check_stream_rejects(l, none, errc::malformed_packet, 0x81, l.flags_at + 3);
    CHECK(accepted<connect>(minimal(l), l.v).client_id == "a");
  }
}

TEST_CASE("rejects a Client Identifier that is not UTF-8 [MQTT-3.1.3-4 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "02"             // connect flags: clean session
                                   "00 3c"          // keep alive 60 s
                                   "00 02 c3 28");  // client id: C3 then '(' (bad)
    const auto lone = connect_at(l, "02"             // connect flags: clean session
                                    "00 3c"          // keep alive 60 s
                                    "00 02 61 ff");  // client id "a" FF (bad)
    check_malformed(bad, l.v, l.flags_at + 5);
    check_malformed(lone, l.v, l.flags_at + 6);
    const auto good = connect_at(l, "02 00 3c 00 03 61 c3 a9");  // client id "a" U+00E9
    CHECK(accepted<connect>(good, l.v).client_id == "a\xC3\xA9");
  }
}

TEST_CASE("refuses to send an empty Client Identifier without Clean Session [MQTT-3.1.3-7 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    connect c;
    c.version = l.v;
    c.client_id = "";
    c.clean_start = false;
    check_refused(c, l.v);
    // Received, it is the connection's to answer with CONNACK 0x02 [MQTT-3.1.3-8 v3.1.1].
    const auto in = connect_at(l, "00"      // connect flags: no clean session
                                  "00 3c"   // keep alive 60 s
                                  "00 00");  // client id ""
    const connect d = accepted<connect>(in, l.v);
    CHECK(d.client_id.empty());
    CHECK_FALSE(d.clean_start);
  }
  connect c;
  c.version = protocol_version::v3_1_1;
  c.client_id = "";
  c.clean_start = true;
  const auto out = encode_bytes(c, protocol_version::v3_1_1);
  REQUIRE(out);
  CHECK(*out == connect_at(connect_levels[1], "02 00 00 00 00"));
}

TEST_CASE("rejects a Will Topic that is not UTF-8 [MQTT-3.1.3-10 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "06"             // connect flags: Will, clean session
                                   "00 3c"          // keep alive 60 s
                                   "00 01 61"       // client id "a"
                                   "00 02 c3 28"    // Will Topic: C3 then '(' (bad)
                                   "00 01 6d");     // Will Message "m"
    check_malformed(bad, l.v, l.flags_at + 8);
    connect c;
    c.version = l.v;
    c.client_id = "a";
    c.will = make_will("\xC3\x28");
    check_refused(c, l.v);
  }
}

TEST_CASE("rejects a user name that is not UTF-8 [MQTT-3.1.3-11 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "82"                // connect flags: user name, clean session
                                   "00 3c"             // keep alive 60 s
                                   "00 01 61"          // client id "a"
                                   "00 03 ed a0 80");  // user name U+D800 (bad)
    check_malformed(bad, l.v, l.flags_at + 8);
    connect c;
    c.version = l.v;
    c.client_id = "a";
    c.username = "\xED\xA0\x80";
    check_refused(c, l.v);
  }
}

TEST_CASE("rejects a CONNECT that does not follow section 3.1 [MQTT-3.1.4-1 v3.1.1]") {
  const auto name_cut = hex("10 02"   // CONNECT, remaining length 2
                            "00 04");  // protocol name of 4 bytes, none left (bad)
  for (const connect_level& l : connect_levels) {
    const auto keep_alive = connect_at(l, "02"  // connect flags: clean session
                                          "00");  // half a keep alive (bad)
    const auto trailing = connect_at(l, "02"        // connect flags: clean session
                                        "00 3c"     // keep alive 60 s
                                        "00 01 61"  // client id "a"
                                        "ff");      // a byte no field accounts for (bad)
    check_malformed(name_cut, l.v, 2);
    check_malformed(keep_alive, l.v, l.flags_at + 1);
    check_malformed(trailing, l.v, l.flags_at + 6);
    check_stream_rejects(l, trailing, errc::malformed_packet, 0x81, l.flags_at + 6);
    CHECK(accepted<connect>(minimal(l), l.v).keep_alive == 60);
  }
}

TEST_CASE("rejects MQTT with a level other than 4 [V311-U07]") {
  for (int level : {0, 1, 2, 3, 6, 0x7f}) {
    INFO("level byte ", level);
    auto in = hex("10 0d"              // CONNECT, remaining length 13
                  "00 04 4d 51 54 54"  // protocol name "MQTT"
                  "04"                 // protocol level (patched below)
                  "02"                 // connect flags: clean session
                  "00 3c"              // keep alive 60 s
                  "00 01 61");         // client id "a"
    in[8] = static_cast<std::uint8_t>(level);
    check_rejected(in, protocol_version::v3_1_1, errc::unsupported_protocol_version, 0x84, 8);
  }
  CHECK(accepted<connect>(minimal(connect_levels[1]), protocol_version::v3_1_1).version == protocol_version::v3_1_1);
}

TEST_CASE("rejects a wildcard in the Will Topic [MQTT-4.7.1-1 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "06"             // connect flags: Will, clean session
                                   "00 3c"          // keep alive 60 s
                                   "00 01 61"       // client id "a"
                                   "00 03 61 2f 23"  // Will Topic "a/#" (bad)
                                   "00 01 6d");     // Will Message "m"
    check_rejected(bad, l.v, errc::topic_name_invalid, 0x90, l.flags_at + 6);
    connect c;
    c.version = l.v;
    c.client_id = "a";
    c.will = make_will("+");
    check_refused(c, l.v);
  }
}

TEST_CASE("rejects an empty Will Topic [MQTT-4.7.3-1 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "06"          // connect flags: Will, clean session
                                   "00 3c"       // keep alive 60 s
                                   "00 01 61"    // client id "a"
                                   "00 00"       // Will Topic "" (bad)
                                   "00 01 6d");  // Will Message "m"
    check_rejected(bad, l.v, errc::protocol_error, 0x82, l.flags_at + 6);
    connect c;
    c.version = l.v;
    c.client_id = "a";
    c.will = make_will("");
    check_refused(c, l.v);
  }
}

}  // TEST_SUITE
