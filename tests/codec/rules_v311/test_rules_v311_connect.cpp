// Codec rules of MQTT 3.1.1 (../shared/spec/conformance-v311.md), section 3.1.2 CONNECT
// variable header: protocol name and Connect Flags. Each check runs at level 3 ("MQIsdp") and 4.
#include <string>
#include <vector>

#include "rules_v311.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

TEST_SUITE("codec v311") {

TEST_CASE("closes on a protocol name other than MQTT or MQIsdp [MQTT-3.1.2-1 v3.1.1]") {
  const auto mqtx = hex("10 0d"              // CONNECT, remaining length 13
                        "00 04 4d 51 54 58"  // protocol name "MQTX" (bad)
                        "04"                 // protocol level 4
                        "02"                 // connect flags: clean session
                        "00 3c"              // keep alive 60 s
                        "00 01 61");         // client id "a"
  const auto lower = hex("10 0d"              // CONNECT, remaining length 13
                         "00 04 6d 71 74 74"  // protocol name "mqtt" (bad: names are exact)
                         "04"                 // protocol level 4
                         "02"                 // connect flags: clean session
                         "00 3c"              // keep alive 60 s
                         "00 01 61");         // client id "a"
  const auto mqisdx = hex("10 0f"                    // CONNECT, remaining length 15
                          "00 06 4d 51 49 73 64 78"  // protocol name "MQIsdx" (bad)
                          "03"                       // protocol level 3
                          "02"                       // connect flags: clean session
                          "00 3c"                    // keep alive 60 s
                          "00 01 61");               // client id "a"
  for (const connect_level& l : connect_levels) {
    check_rejected(mqtx, l.v, errc::unsupported_protocol_version, 0x84, 2);
    check_rejected(lower, l.v, errc::unsupported_protocol_version, 0x84, 2);
    check_rejected(mqisdx, l.v, errc::unsupported_protocol_version, 0x84, 2);
    CHECK(accepted<connect>(minimal(l), l.v).client_id == "a");  // "MQIsdp" + 3 is the 3.1 profile
    check_stream_rejects(l, mqtx, errc::unsupported_protocol_version, 0x84, 2);
  }
}

TEST_CASE("rejects a CONNECT whose reserved flag is set [MQTT-3.1.2-3 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "03"          // connect flags: clean session + reserved (bad)
                                   "00 3c"       // keep alive 60 s
                                   "00 01 61");  // client id "a"
    const auto reserved_only = connect_at(l, "01"          // connect flags: reserved bit (bad)
                                             "00 3c"       // keep alive 60 s
                                             "00 01 61");  // client id "a"
    check_malformed(bad, l.v, l.flags_at);
    check_malformed(reserved_only, l.v, l.flags_at);
    check_stream_rejects(l, bad, errc::malformed_packet, 0x81, l.flags_at);
    CHECK(accepted<connect>(minimal(l), l.v).clean_start);
    CHECK_FALSE(accepted<connect>(connect_at(l, "00 00 3c 00 01 61"), l.v).clean_start);
  }
}

TEST_CASE("needs Will Topic and Will Message when the Will Flag is set [MQTT-3.1.2-9 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto good = connect_at(l, "06"          // connect flags: Will, clean session
                                    "00 3c"       // keep alive 60 s
                                    "00 01 61"    // client id "a"
                                    "00 01 74"    // Will Topic "t"
                                    "00 01 6d");  // Will Message "m"
    const auto no_message = connect_at(l, "06"          // connect flags: Will, clean session
                                          "00 3c"       // keep alive 60 s
                                          "00 01 61"    // client id "a"
                                          "00 01 74");  // Will Topic "t", then no Will Message (bad)
    const auto no_topic = connect_at(l, "06"          // connect flags: Will, clean session
                                        "00 3c"       // keep alive 60 s
                                        "00 01 61");  // client id "a", then no Will (bad)
    const connect c = accepted<connect>(good, l.v);
    REQUIRE(c.will.has_value());
    CHECK(c.will->topic == "t");
    CHECK(c.will->payload == bin("m"));
    CHECK(c.will->qos == qos::at_most_once);
    CHECK_FALSE(c.will->retain);
    check_malformed(no_message, l.v, l.flags_at + 9);
    check_malformed(no_topic, l.v, l.flags_at + 6);
    check_stream_rejects(l, no_message, errc::malformed_packet, 0x81, l.flags_at + 9);
    const auto out = encode_bytes(c, l.v);  // the encoder writes both
    REQUIRE(out);
    CHECK(*out == good);
    connect empty_topic = c;
    empty_topic.will->topic = "";
    check_refused(empty_topic, l.v);
  }
}

TEST_CASE("rejects Will QoS Will Retain or Will fields without the Will Flag [MQTT-3.1.2-11 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto qos1 = connect_at(l, "0a"          // connect flags: Will QoS 1 without Will (bad)
                                    "00 3c"       // keep alive 60 s
                                    "00 01 61");  // client id "a"
    const auto retain = connect_at(l, "22"          // connect flags: Will Retain without Will (bad)
                                      "00 3c"       // keep alive 60 s
                                      "00 01 61");  // client id "a"
    const auto fields = connect_at(l, "02"          // connect flags: clean session, no Will
                                      "00 3c"       // keep alive 60 s
                                      "00 01 61"    // client id "a"
                                      "00 01 74"    // a Will Topic "t" (bad)
                                      "00 01 6d");  // a Will Message "m" (bad)
    check_malformed(qos1, l.v, l.flags_at);
    check_malformed(retain, l.v, l.flags_at);
    check_malformed(fields, l.v, l.flags_at + 6);
    CHECK_FALSE(accepted<connect>(minimal(l), l.v).will.has_value());
  }
}

TEST_CASE("rejects a Will QoS other than 0 without the Will Flag [MQTT-3.1.2-13 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    for (const char* flags : {"0a", "12", "1a"}) {  // Will QoS 1, 2 and 3 without the Will Flag
      const auto bad = connect_at(l, std::string(flags) + " 00 3c 00 01 61");
      check_malformed(bad, l.v, l.flags_at);
    }
    CHECK_FALSE(accepted<connect>(minimal(l), l.v).will.has_value());
  }
}

TEST_CASE("rejects Will QoS 3 [MQTT-3.1.2-14 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "1e"          // connect flags: Will QoS 3, Will, clean (bad)
                                   "00 3c"       // keep alive 60 s
                                   "00 01 61"    // client id "a"
                                   "00 01 74"    // Will Topic "t"
                                   "00 01 6d");  // Will Message "m"
    check_malformed(bad, l.v, l.flags_at);
    const char* flags[] = {"06", "0e", "16"};  // Will QoS 0, 1, 2
    for (int q = 0; q < 3; ++q) {
      const auto good = connect_at(l, std::string(flags[q]) + " 00 3c 00 01 61 00 01 74 00 01 6d");
      const connect c = accepted<connect>(good, l.v);
      REQUIRE(c.will.has_value());
      CHECK(c.will->qos == static_cast<qos>(q));
    }
    connect c;
    c.version = l.v;
    c.client_id = "a";
    c.will = make_will("t", static_cast<qos>(3));
    check_refused(c, l.v);
  }
}

TEST_CASE("rejects Will Retain without the Will Flag [MQTT-3.1.2-15 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "22"          // connect flags: Will Retain, clean, no Will (bad)
                                   "00 3c"       // keep alive 60 s
                                   "00 01 61");  // client id "a"
    const auto good = connect_at(l, "26"          // connect flags: Will Retain, Will, clean
                                    "00 3c"       // keep alive 60 s
                                    "00 01 61"    // client id "a"
                                    "00 01 74"    // Will Topic "t"
                                    "00 01 6d");  // Will Message "m"
    check_malformed(bad, l.v, l.flags_at);
    const connect c = accepted<connect>(good, l.v);
    REQUIRE(c.will.has_value());
    CHECK(c.will->retain);
  }
}

TEST_CASE("rejects a user name when the User Name Flag is 0 [MQTT-3.1.2-18 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "02"          // connect flags: clean session, no user name
                                   "00 3c"       // keep alive 60 s
                                   "00 01 61"    // client id "a"
                                   "00 01 75");  // a user name "u" (bad: leftover bytes)
    check_malformed(bad, l.v, l.flags_at + 6);
    CHECK_FALSE(accepted<connect>(minimal(l), l.v).username.has_value());
  }
}

TEST_CASE("needs a user name when the User Name Flag is 1 [MQTT-3.1.2-19 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "82"          // connect flags: user name, clean session
                                   "00 3c"       // keep alive 60 s
                                   "00 01 61");  // client id "a", then no user name (bad)
    const auto good = connect_at(l, "82"          // connect flags: user name, clean session
                                    "00 3c"       // keep alive 60 s
                                    "00 01 61"    // client id "a"
                                    "00 01 75");  // user name "u"
    check_malformed(bad, l.v, l.flags_at + 6);
    const connect c = accepted<connect>(good, l.v);
    CHECK(c.username == std::optional<std::string_view>("u"));
    CHECK_FALSE(c.password.has_value());
  }
}

TEST_CASE("rejects a password when the Password Flag is 0 [MQTT-3.1.2-20 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "82"          // connect flags: user name, clean, no password
                                   "00 3c"       // keep alive 60 s
                                   "00 01 61"    // client id "a"
                                   "00 01 75"    // user name "u"
                                   "00 01 70");  // a password "p" (bad: leftover bytes)
    check_malformed(bad, l.v, l.flags_at + 9);
  }
}

TEST_CASE("needs a password when the Password Flag is 1 [MQTT-3.1.2-21 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "c2"          // connect flags: user name, password, clean
                                   "00 3c"       // keep alive 60 s
                                   "00 01 61"    // client id "a"
                                   "00 01 75");  // user name "u", then no password (bad)
    const auto good = connect_at(l, "c2"          // connect flags: user name, password, clean
                                    "00 3c"       // keep alive 60 s
                                    "00 01 61"    // client id "a"
                                    "00 01 75"    // user name "u"
                                    "00 01 70");  // password "p"
    check_malformed(bad, l.v, l.flags_at + 9);
    const connect c = accepted<connect>(good, l.v);
    REQUIRE(c.password.has_value());
    CHECK(*c.password == bin("p"));
  }
}

TEST_CASE("rejects password without user name on level 4 [MQTT-3.1.2-22 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "42"          // connect flags: password without user name (bad)
                                   "00 3c"       // keep alive 60 s
                                   "00 01 61"    // client id "a"
                                   "00 01 70");  // password "p"
    check_malformed(bad, l.v, l.flags_at);
    check_stream_rejects(l, bad, errc::malformed_packet, 0x81, l.flags_at);
    connect c;
    c.version = l.v;
    c.client_id = "a";
    c.password = bin("p");
    check_refused(c, l.v);
    c.username = "u";
    const auto out = encode_bytes(c, l.v);
    REQUIRE(out);
    CHECK(accepted<connect>(*out, l.v).password == std::optional<binary>(bin("p")));
  }
}

}  // TEST_SUITE
