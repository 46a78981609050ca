// Codec rules of MQTT 3.1.1 (../shared/spec/conformance-v311.md), sections 3.2 CONNACK, 3.3
// PUBLISH and 3.6 PUBREL. Checks run at level 3 ("MQIsdp") and 4 unless a rule is level 4 only.
#include <string>
#include <vector>

#include "rules_v311.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

connack make_connack(bool session_present, std::uint8_t rc) {
  connack c;
  c.session_present = session_present;
  c.reason_code = rc;
  return c;
}

}  // namespace

TEST_SUITE("codec v311") {

TEST_CASE("rejects Session Present with a non-zero return code on level 4 [MQTT-3.2.2-4 v3.1.1]") {
  const protocol_version v = protocol_version::v3_1_1;
  for (std::uint8_t rc = 1; rc <= 5; ++rc) {
    auto bad = hex("20 02"  // CONNACK, remaining length 2
                   "01"     // acknowledge flags: Session Present (bad with a refusal)
                   "01");   // return code (patched below)
    bad[3] = rc;
    check_rejected(bad, v, errc::protocol_error, 0x82, 2);
    check_refused(make_connack(true, rc), v);
  }
  const connack resumed = accepted<connack>(hex("20 02 01 00"), v);  // Session Present, accepted
  CHECK(resumed.session_present);
  CHECK(resumed.reason_code == 0);
  const connack refused = accepted<connack>(hex("20 02 00 05"), v);  // not authorized
  CHECK_FALSE(refused.session_present);
  CHECK(refused.reason_code == 5);
  check_stream_rejects(hex("20 02 01 00"), hex("20 02 01 04"), v, errc::protocol_error, 0x82, 2);
}

TEST_CASE("rejects CONNACK acknowledge flags with bits 7 to 1 set on level 4 [V311-U08]") {
  const protocol_version v = protocol_version::v3_1_1;
  for (const char* flags : {"02", "80", "fe", "ff"}) {
    const auto bad = hex("20 02 " +          // CONNACK, remaining length 2
                         std::string(flags)  // acknowledge flags with reserved bits (bad)
                         + " 00");           // return code 0
    check_rejected(bad, v, errc::malformed_packet, 0x81, 2);
  }
  CHECK(accepted<connack>(hex("20 02 01 00"), v).session_present);
  const auto out = encode_bytes(make_connack(true, 0), v);
  REQUIRE(out);
  CHECK(*out == hex("20 02 01 00"));
}

TEST_CASE("rejects CONNACK return codes 6 to 255 [V311-U09]") {
  for (protocol_version v : levels) {
    for (int rc = 0; rc < 256; ++rc) {
      auto in = hex("20 02"  // CONNACK, remaining length 2
                    "00"     // acknowledge flags
                    "00");   // return code (patched below)
      in[3] = static_cast<std::uint8_t>(rc);
      if (rc <= 5) {
        CHECK(accepted<connack>(in, v).reason_code == rc);
      } else {
        check_rejected(in, v, errc::protocol_error, 0x82, 3);
      }
    }
    check_refused(make_connack(false, 6), v);
    check_refused(make_connack(false, 0x80), v);
    check_refused(make_connack(false, 0xFF), v);
    check_stream_rejects(hex("20 02 00 00"), hex("20 02 00 06"), v, errc::protocol_error, 0x82, 3);
  }
}

TEST_CASE("rejects DUP on a QoS 0 PUBLISH [MQTT-3.3.1-2 v3.1.1]") {
  const auto dup0 = hex("38 03"      // PUBLISH DUP, QoS 0 (bad)
                        "00 01 61");  // topic name "a"
  const auto dup0_retain = hex("39 03"      // PUBLISH DUP, QoS 0, RETAIN (bad)
                               "00 01 61");  // topic name "a"
  const auto dup1 = hex("3a 05"      // PUBLISH DUP, QoS 1
                        "00 01 61"   // topic name "a"
                        "00 01");    // packet identifier 1
  for (protocol_version v : levels) {
    check_rejected(dup0, v, errc::malformed_packet, 0x81, 0);
    check_rejected(dup0_retain, v, errc::malformed_packet, 0x81, 0);
    const publish p = accepted<publish>(dup1, v);
    CHECK(p.dup);
    CHECK(p.qos == qos::at_least_once);
    CHECK_FALSE(accepted<publish>(hex("30 03 00 01 61"), v).dup);
    check_stream_rejects(dup1, dup0, v, errc::malformed_packet, 0x81, 0);
    publish bad = make_publish("a", qos::at_most_once);
    bad.dup = true;
    check_refused(bad, v);
  }
}

TEST_CASE("rejects a PUBLISH with both QoS bits set [MQTT-3.3.1-4 v3.1.1]") {
  for (protocol_version v : levels) {
    for (const char* first : {"36", "37", "3e", "3f"}) {  // QoS 3, with and without DUP / RETAIN
      const auto bad = hex(std::string(first) +  // PUBLISH QoS 3 (bad)
                           " 05"                 // remaining length 5
                           " 00 01 61"           // topic name "a"
                           " 00 01");            // packet identifier 1
      check_rejected(bad, v, errc::malformed_packet, 0x81, 0);
    }
    CHECK(accepted<publish>(hex("30 03 00 01 61"), v).qos == qos::at_most_once);
    CHECK(accepted<publish>(hex("32 05 00 01 61 00 01"), v).qos == qos::at_least_once);
    CHECK(accepted<publish>(hex("34 05 00 01 61 00 01"), v).qos == qos::exactly_once);
    check_refused(make_publish("a", static_cast<qos>(3), 1), v);
  }
}

TEST_CASE("reads the Topic Name as the first field and as UTF-8 [MQTT-3.3.2-1 v3.1.1]") {
  const auto good = hex("32 08"        // PUBLISH QoS 1, remaining length 8
                        "00 03 61 2f 62"  // topic name "a/b"
                        "00 09"        // packet identifier 9
                        "78");         // payload "x"
  const auto ill_formed = hex("30 05"         // PUBLISH QoS 0, remaining length 5
                              "00 02 c3 28"   // topic name: C3 then '(' (bad)
                              "78");          // payload "x"
  const auto cut = hex("30 01"  // PUBLISH QoS 0, remaining length 1
                       "00");   // half a topic name length (bad)
  for (protocol_version v : levels) {
    const publish p = accepted<publish>(good, v);
    CHECK(p.topic == "a/b");
    CHECK(p.packet_id == 9);
    CHECK(p.payload == bin("x"));
    check_rejected(ill_formed, v, errc::malformed_packet, 0x81, 4);
    check_rejected(cut, v, errc::malformed_packet, 0x81, 2);
    check_stream_rejects(good, ill_formed, v, errc::malformed_packet, 0x81, 4);
    check_refused(make_publish("\xC3\x28", qos::at_most_once), v);
  }
}

TEST_CASE("rejects a wildcard in the PUBLISH Topic Name [MQTT-3.3.2-2 v3.1.1]") {
  const auto plus = hex("30 05"          // PUBLISH QoS 0, remaining length 5
                        "00 03 61 2f 2b");  // topic name "a/+" (bad)
  const auto hash = hex("32 05"      // PUBLISH QoS 1, remaining length 5
                        "00 01 23"   // topic name "#" (bad)
                        "00 01");    // packet identifier 1
  for (protocol_version v : levels) {
    check_rejected(plus, v, errc::topic_name_invalid, 0x90, 2);
    check_rejected(hash, v, errc::topic_name_invalid, 0x90, 2);
    CHECK(accepted<publish>(hex("30 05 00 03 61 2f 62"), v).topic == "a/b");
    check_stream_rejects(hex("30 03 00 01 61"), plus, v, errc::topic_name_invalid, 0x90, 2);
    check_refused(make_publish("a/+", qos::at_most_once), v);
    check_refused(make_publish("sport/#", qos::at_least_once, 1), v);
  }
}

TEST_CASE("rejects PUBREL fixed-header flags other than 0010 [MQTT-3.6.1-1 v3.1.1]") {
  for (protocol_version v : levels) {
    for (std::uint8_t flags = 0; flags < 16; ++flags) {
      if (flags == 0x2) continue;
      if (flags == 0xA && v == protocol_version::v3_1) continue;  // DUP is legal at level 3 [V31-D06]
      auto bad = hex("62 02"   // PUBREL (flags patched below), remaining length 2
                     "00 01");  // packet identifier 1
      bad[0] = static_cast<std::uint8_t>(0x60 | flags);
      check_rejected(bad, v, errc::malformed_packet, 0x81, 0);
    }
    const pubrel p = accepted<pubrel>(hex("62 02 00 01"), v);
    CHECK(p.packet_id == 1);
    CHECK_FALSE(p.dup);
    pubrel out_p;
    out_p.packet_id = 1;
    const auto out = encode_bytes(out_p, v);
    REQUIRE(out);
    CHECK(*out == hex("62 02 00 01"));
    check_stream_rejects(hex("62 02 00 01"), hex("60 02 00 01"), v, errc::malformed_packet, 0x81, 0);
  }
  check_rejected(hex("6a 02 00 01"), protocol_version::v3_1_1, errc::malformed_packet, 0x81, 0);
  pubrel dup;
  dup.packet_id = 1;
  dup.dup = true;
  check_refused(dup, protocol_version::v3_1_1);
}

TEST_CASE("accepts a PUBLISH with an empty payload [V311-U17]") {
  const auto qos0 = hex("30 03"      // PUBLISH QoS 0, remaining length 3
                        "00 01 61");  // topic name "a", empty payload
  const auto qos1_retain = hex("33 05"    // PUBLISH QoS 1, RETAIN, remaining length 5
                               "00 01 61"  // topic name "a"
                               "00 01");   // packet identifier 1, empty payload
  for (protocol_version v : levels) {
    const publish p0 = accepted<publish>(qos0, v);
    CHECK(p0.topic == "a");
    CHECK(p0.payload.empty());
    const publish p1 = accepted<publish>(qos1_retain, v);
    CHECK(p1.retain);
    CHECK(p1.packet_id == 1);
    CHECK(p1.payload.empty());
    const auto out = encode_bytes(p1, v);
    REQUIRE(out);
    CHECK(*out == qos1_retain);
    const stream_outcome s = check_split_invariance(qos0, v);
    CHECK(s.packets == 1);
    CHECK_FALSE(s.failure.has_value());
  }
}

}  // TEST_SUITE
