// The MQTT 3.1 differences (../shared/spec/conformance-v311.md, V31-D01..D08) that the codec can
// show: protocol level 3, protocol name "MQIsdp". V31-D02 (Client Identifier length, CONNACK
// 0x02) is the connection's to enforce, not the codec's.
#include <string>
#include <vector>

#include "rules_v311.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

constexpr protocol_version v3 = protocol_version::v3_1;

// The smallest level-3 CONNECT: clean session, keep alive 60 s, client id "a".
std::vector<std::uint8_t> connect3() {
  return hex("10 0f"                    // CONNECT, remaining length 15
             "00 06 4d 51 49 73 64 70"  // protocol name "MQIsdp"
             "03"                       // protocol level 3
             "02"                       // connect flags: clean session
             "00 3c"                    // keep alive 60 s
             "00 01 61");               // client id "a"
}

}  // namespace

TEST_SUITE("codec v31") {

TEST_CASE("names level 3 MQIsdp and rejects a name and level mix [V31-D01]") {
  const auto mqisdp4 = hex("10 0f"                    // CONNECT, remaining length 15
                           "00 06 4d 51 49 73 64 70"  // protocol name "MQIsdp"
                           "04"                       // protocol level 4 (bad with MQIsdp)
                           "02"                       // connect flags: clean session
                           "00 3c"                    // keep alive 60 s
                           "00 01 61");               // client id "a"
  const auto mqtt3 = hex("10 0d"              // CONNECT, remaining length 13
                         "00 04 4d 51 54 54"  // protocol name "MQTT"
                         "03"                 // protocol level 3 (bad with MQTT)
                         "02"                 // connect flags: clean session
                         "00 3c"              // keep alive 60 s
                         "00 01 61");         // client id "a"
  const auto good = connect3();
  const connect c = accepted<connect>(good, v3);
  CHECK(c.version == v3);
  CHECK(c.client_id == "a");
  CHECK(c.keep_alive == 60);
  connect out_c;
  out_c.version = v3;
  out_c.keep_alive = 60;
  out_c.client_id = "a";
  const auto out = encode_bytes(out_c, v3);
  REQUIRE(out);
  CHECK(*out == good);
  for (protocol_version v : {v3, protocol_version::v3_1_1}) {
    check_rejected(mqisdp4, v, errc::unsupported_protocol_version, 0x84, 10);
    check_rejected(mqtt3, v, errc::unsupported_protocol_version, 0x84, 8);
  }
  check_stream_rejects(good, mqisdp4, v3, errc::unsupported_protocol_version, 0x84, 10);
}

TEST_CASE("ignores CONNACK byte 1 at level 3 and writes it as 0 [V31-D03]") {
  struct row {
    const char* wire;
    std::uint8_t rc;
  };
  const row rows[] = {
      {"20 02 00 00", 0},  // CONNACK accepted
      {"20 02 01 00", 0},  // byte 1 = 01: no Session Present at level 3
      {"20 02 ff 05", 5},  // byte 1 = ff: reserved, ignored; not authorized
      {"20 02 01 01", 1},  // byte 1 = 01 with a refusal: still fine, no Session Present
  };
  for (const row& r : rows) {
    const connack c = accepted<connack>(hex(r.wire), v3);
    CHECK_FALSE(c.session_present);
    CHECK(c.reason_code == r.rc);
  }
  check_rejected(hex("20 02 00 06"), v3, errc::protocol_error, 0x82, 3);  // return code 6
  connack c;
  c.reason_code = 2;
  const auto out = encode_bytes(c, v3);
  REQUIRE(out);
  CHECK(*out == hex("20 02 00 02"));
  c.reason_code = 0;
  c.session_present = true;  // refused, or written as 0
  const auto sp = encode_bytes(c, v3);
  if (sp) CHECK(*sp == hex("20 02 00 00"));
}

TEST_CASE("rejects the SUBACK failure code 0x80 at level 3 [V31-D04]") {
  const auto failure = hex("90 03"  // SUBACK, remaining length 3
                           "00 01"  // packet identifier 1
                           "80");   // return code 0x80 (bad: no failure code in 3.1)
  const auto granted = hex("90 05"      // SUBACK, remaining length 5
                           "00 01"      // packet identifier 1
                           "00 01 02");  // granted QoS 0, 1, 2
  check_rejected(failure, v3, errc::protocol_error, 0x82, 4);
  const suback s = accepted<suback>(granted, v3);
  CHECK(s.reason_codes == binary(granted.data() + 4, 3));
  check_stream_rejects(granted, failure, v3, errc::protocol_error, 0x82, 4);
  static const std::uint8_t code[] = {0x80};
  suback bad = with_id<suback>(1);
  bad.reason_codes = binary(code, 1);
  check_refused(bad, v3);
}

TEST_CASE("reads Will Message user name and password as length-prefixed fields [V31-D05]") {
  const auto in = hex("10 34"                    // CONNECT, remaining length 52
                      "00 06 4d 51 49 73 64 70"  // protocol name "MQIsdp"
                      "03"                       // protocol level 3
                      "ee"                       // flags: user, password, Will Retain, QoS 1, Will, clean
                      "00 3c"                    // keep alive 60 s
                      "00 01 63"                 // client id "c"
                      "00 01 74"                 // Will Topic "t"
                      "00 02 68 69"              // Will Message "hi"
                      "00 0d 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d"   // user name "abcdefghijklm"
                      "00 0d 6e 6f 70 71 72 73 74 75 76 77 78 79 7a"); // password "nopqrstuvwxyz"
  const connect c = accepted<connect>(in, v3);
  CHECK(c.version == v3);
  REQUIRE(c.will.has_value());
  CHECK(c.will->topic == "t");
  CHECK(c.will->payload == bin("hi"));
  CHECK(c.will->qos == qos::at_least_once);
  CHECK(c.will->retain);
  CHECK(c.username == std::optional<std::string_view>("abcdefghijklm"));  // 13 > 12: advice only
  CHECK(c.password == std::optional<binary>(bin("nopqrstuvwxyz")));
  const auto out = encode_bytes(c, v3);
  REQUIRE(out);
  CHECK(*out == in);
  const stream_outcome s = check_split_invariance(in, v3);
  CHECK(s.packets == 1);
  CHECK_FALSE(s.failure.has_value());
}

TEST_CASE("accepts DUP on a resent level-3 PUBREL SUBSCRIBE and UNSUBSCRIBE [V31-D06]") {
  const auto rel = hex("6a 02"   // PUBREL with DUP, remaining length 2
                       "00 01");  // packet identifier 1
  const auto sub = hex("8a 06"     // SUBSCRIBE with DUP, remaining length 6
                       "00 02"     // packet identifier 2
                       "00 01 61"  // topic filter "a"
                       "01");      // requested QoS 1
  const auto unsub = hex("aa 05"      // UNSUBSCRIBE with DUP, remaining length 5
                         "00 03"      // packet identifier 3
                         "00 01 61");  // topic filter "a"
  const pubrel r = accepted<pubrel>(rel, v3);
  CHECK(r.dup);
  CHECK(r.packet_id == 1);
  const subscribe s = accepted<subscribe>(sub, v3);
  CHECK(s.dup);
  CHECK(s.packet_id == 2);
  CHECK(s.subscriptions.front().max_qos == qos::at_least_once);
  const unsubscribe u = accepted<unsubscribe>(unsub, v3);
  CHECK(u.dup);
  CHECK(u.topic_filters.front() == "a");
  for (const auto* in : {&rel, &sub, &unsub}) {
    const result<packet> d = decode_one(*in, v3);
    REQUIRE(d.has_value());
    std::vector<std::uint8_t> out;
    REQUIRE(encode(*d, v3, out).has_value());
    CHECK(out == *in);
    // Level 4 has no DUP on these packets: malformed on receipt, refused on sending.
    check_rejected(*in, protocol_version::v3_1_1, errc::malformed_packet, 0x81, 0);
    std::vector<std::uint8_t> out4;
    CHECK_FALSE(encode(*d, protocol_version::v3_1_1, out4).has_value());
    CHECK(out4.empty());
  }
  // Every other reserved flag bit is still checked at level 3.
  for (std::uint8_t first : {0x60, 0x63, 0x68, 0x6b, 0x6e, 0x80, 0x88, 0x8b, 0x8e, 0xa0, 0xa8, 0xab, 0xae}) {
    std::vector<std::uint8_t> bad = (first >> 4) == 6 ? rel : (first >> 4) == 8 ? sub : unsub;
    bad[0] = first;
    check_rejected(bad, v3, errc::malformed_packet, 0x81, 0);
  }
  check_stream_rejects(rel, hex("6b 02 00 01"), v3, errc::malformed_packet, 0x81, 0);
}

TEST_CASE("applies the 3.1.1 string topic and password checks at level 3 [V31-D07]") {
  const auto client_id = hex("10 10"                    // CONNECT, remaining length 16
                             "00 06 4d 51 49 73 64 70"  // protocol name "MQIsdp"
                             "03"                       // protocol level 3
                             "02"                       // connect flags: clean session
                             "00 3c"                    // keep alive 60 s
                             "00 02 c3 28");            // client id: C3 then '(' (bad)
  const auto password = hex("10 12"                    // CONNECT, remaining length 18
                            "00 06 4d 51 49 73 64 70"  // protocol name "MQIsdp"
                            "03"                       // protocol level 3
                            "42"                       // connect flags: password without user (bad)
                            "00 3c"                    // keep alive 60 s
                            "00 01 61"                 // client id "a"
                            "00 01 70");               // password "p"
  const auto nul = hex("30 05"             // PUBLISH QoS 0, remaining length 5
                       "00 03 61 00 62");  // topic name "a" U+0000 "b" (bad)
  const auto wildcard = hex("30 05"             // PUBLISH QoS 0, remaining length 5
                            "00 03 61 2f 23");  // topic name "a/#" (bad)
  const auto filter = hex("82 06"     // SUBSCRIBE, remaining length 6
                          "00 01"     // packet identifier 1
                          "00 01 2b"  // topic filter "+"
                          "00");      // requested QoS 0
  const auto bad_filter = hex("82 07"        // SUBSCRIBE, remaining length 7
                              "00 01"        // packet identifier 1
                              "00 02 61 23"  // topic filter "a#" (bad)
                              "00");         // requested QoS 0
  check_rejected(client_id, v3, errc::malformed_packet, 0x81, 16);
  check_rejected(password, v3, errc::malformed_packet, 0x81, 11);
  check_rejected(nul, v3, errc::malformed_packet, 0x81, 5);
  check_rejected(wildcard, v3, errc::topic_name_invalid, 0x90, 2);
  check_rejected(bad_filter, v3, errc::topic_filter_invalid, 0x8F, 4);
  CHECK(accepted<subscribe>(filter, v3).subscriptions.front().topic_filter == "+");
  connect c;
  c.version = v3;
  c.client_id = "a";
  c.password = bin("p");
  check_refused(c, v3);
}

TEST_CASE("keeps the 14 packet types and the Remaining Length rules at level 3 [V31-D08]") {
  static const subscription subs[] = {{"a/+", qos::exactly_once, false, false, 0}};
  static const std::string_view filters[] = {"a/#"};
  static const std::uint8_t granted[] = {2};
  connect c;
  c.version = v3;
  c.clean_start = false;
  c.keep_alive = 30;
  c.client_id = "client";
  publish p2;
  p2.qos = qos::exactly_once;
  p2.packet_id = 7;
  p2.topic = "a/b";
  p2.payload = bin("x");
  suback sa = with_id<suback>(3);
  sa.reason_codes = binary(granted, 1);
  subscribe sub = with_id<subscribe>(3);
  sub.subscriptions = subs;
  unsubscribe unsub = with_id<unsubscribe>(4);
  unsub.topic_filters = filters;
  const packet all[] = {c,  connack{},          p2, with_id<puback>(5), with_id<pubrec>(7), with_id<pubrel>(7),
                        with_id<pubcomp>(7), sub, sa, unsub, with_id<unsuback>(4), pingreq{}, pingresp{},
                        disconnect{}};
  std::vector<std::uint8_t> stream;
  for (const packet& p : all) {
    INFO("packet type ", static_cast<int>(type_of(p)));
    std::vector<std::uint8_t> out;
    REQUIRE(encode(p, v3, out).has_value());
    const result<packet> d = decode_one(out, v3);
    REQUIRE(d.has_value());
    CHECK(*d == p);
    stream.insert(stream.end(), out.begin(), out.end());
  }
  const stream_outcome s = check_split_invariance(stream, v3);
  CHECK(s.packets == 14);
  CHECK_FALSE(s.failure.has_value());
  check_rejected(hex("f0 00"), v3, errc::malformed_packet, 0x81, 0);  // no AUTH: type 15 reserved
  check_rejected(hex("30 ff ff ff ff 01"), v3, errc::malformed_packet, 0x81, 4);  // 5-byte length
  // No properties and no reason codes before 5.0.
  publish with_props = p2;
  with_props.props.set_message_expiry_interval(60);
  check_refused(with_props, v3);
  puback ack = with_id<puback>(5);
  ack.reason_code = 0x10;
  check_refused(ack, v3);
  disconnect d;
  d.reason_code = 0x04;
  check_refused(d, v3);
}

}  // TEST_SUITE
