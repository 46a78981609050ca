// MQTT 5.0 checklist, codec layer: the control packet format (section 2) and splitting of the
// byte stream (section 6): fixed-header flags, packet type 0, Remaining Length against the
// fields, Packet Identifier placement, Property Length.
#include <algorithm>
#include <string>

#include "rules_v5.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

// One valid packet of every kind, in type order.
const char* const every_kind_hex =
    "10 0e 00 04 4d515454 05 02 00 3c 00 00 01 61"  // CONNECT, client id "a"
    "20 03 00 00 00"                               // CONNACK 0x00
    "30 06 00 01 74 00 68 69"                      // PUBLISH QoS 0 "t", payload "hi"
    "40 02 00 01"                                  // PUBACK id 1
    "50 02 00 01"                                  // PUBREC id 1
    "62 02 00 01"                                  // PUBREL id 1
    "70 02 00 01"                                  // PUBCOMP id 1
    "82 07 00 01 00 00 01 74 00"                   // SUBSCRIBE id 1, "t" QoS 0
    "90 04 00 01 00 00"                            // SUBACK id 1, 0x00
    "a2 06 00 01 00 00 01 74"                      // UNSUBSCRIBE id 1, "t"
    "b0 04 00 01 00 00"                            // UNSUBACK id 1, 0x00
    "c0 00"                                        // PINGREQ
    "d0 00"                                        // PINGRESP
    "e0 00"                                        // DISCONNECT
    "f0 06 18 04 15 00 01 6d";                     // AUTH 0x18, Authentication Method "m"

}  // namespace

TEST_SUITE("codec v5") {

TEST_CASE("rejects fixed-header flags other than those of the flags table [MQTT-2.1.3-1]") {
  // Required flags per packet type (PUBLISH has its own rules).
  const std::pair<int, int> required[] = {{1, 0},  {2, 0},  {4, 0},  {5, 0},  {6, 2},  {7, 0},  {8, 2},
                                          {9, 0},  {10, 2}, {11, 0}, {12, 0}, {13, 0}, {14, 0}, {15, 0}};
  for (const auto& req : required) {
    const int type = req.first, flags = req.second;  // no structured binding: clang 14 cannot capture one
    for (int f = 0; f < 16; ++f) {
      if (f == flags) continue;
      CAPTURE(type);
      CAPTURE(f);
      check_rejects(byte_vec{static_cast<std::uint8_t>(type << 4 | f), 0x00}, errc::malformed_packet, 0x81, 0);
    }
  }
}

TEST_CASE("writes the fixed-header flags of the flags table for every packet kind [MQTT-2.1.3-1]") {
  const subscription subs[] = {{"t"}};
  const std::string_view filters[] = {"t"};
  const std::uint8_t codes[] = {0x00};
  connect c;
  c.client_id = "a";
  publish pub;
  pub.topic = "t";
  subscribe sub;
  sub.packet_id = 1;
  sub.subscriptions = subs;
  suback sa;
  sa.packet_id = 1;
  sa.reason_codes = binary(codes, 1);
  unsubscribe uns;
  uns.packet_id = 1;
  uns.topic_filters = filters;
  unsuback ua;
  ua.packet_id = 1;
  ua.reason_codes = binary(codes, 1);
  auth au;
  au.reason_code = 0x18;
  au.props.set_authentication_method("m");
  const packet packets[] = {c,   connack{}, pub,       with_id<puback>(), with_id<pubrec>(), with_id<pubrel>(), with_id<pubcomp>(), sub,
                            sa,  uns,       ua,        pingreq{},  pingresp{}, disconnect{}, au};
  const std::uint8_t first[] = {0x10, 0x20, 0x30, 0x40, 0x50, 0x62, 0x70, 0x82,
                                0x90, 0xA2, 0xB0, 0xC0, 0xD0, 0xE0, 0xF0};
  for (std::size_t i = 0; i < std::size(packets); ++i) {
    CAPTURE(i);
    const byte_vec out = check_encodes(packets[i]);
    CHECK(out[0] == first[i]);
  }
}

TEST_CASE("rejects packet type 0 [V5-U04]") {
  check_rejects(hex("00 00"), errc::malformed_packet, 0x81, 0);        // type 0, remaining length 0
  check_rejects(hex("0f 00"), errc::malformed_packet, 0x81, 0);        // type 0, flags 1111
  check_rejects(hex("00 02 00 01"), errc::malformed_packet, 0x81, 0);  // type 0 with a body
}

TEST_CASE("rejects a packet with bytes after its last field [V5-U06]") {
  check_rejects(hex("c0 01 00"), errc::malformed_packet, 0x81, 2);           // PINGREQ + 1 byte
  check_rejects(hex("d0 02 00 00"), errc::malformed_packet, 0x81, 2);        // PINGRESP + 2 bytes
  check_rejects(hex("20 04 00 00 00 ff"), errc::malformed_packet, 0x81, 5);  // CONNACK + 1 byte
  check_rejects(hex("40 05"      // PUBACK, remaining length 5
                    "00 01"      // packet id 1
                    "00 00"      // reason code 0x00, property length 0
                    "ff"),       // left over (bad)
                errc::malformed_packet, 0x81, 6);
  check_rejects(hex("e0 03 00 00 ff"), errc::malformed_packet, 0x81, 4);  // DISCONNECT + 1 byte
  check_rejects(hex("f0 07"          // AUTH, remaining length 7
                    "18"             // reason code 0x18
                    "04 15 00 01 6d" // Authentication Method "m"
                    "ff"),           // left over (bad)
                errc::malformed_packet, 0x81, 8);
}

TEST_CASE("rejects a packet whose Remaining Length is too short for a field [V5-U06]") {
  check_rejects(hex("40 01 00"), errc::malformed_packet, 0x81, 2);  // PUBACK: packet id cut short
  check_rejects(hex("20 01 00"), errc::malformed_packet, 0x81, 3);  // CONNACK: no reason code
  check_rejects(hex("32 04"       // PUBLISH QoS 1, remaining length 4
                    "00 01 74"    // topic name "t"
                    "00"),        // packet id cut short (bad)
                errc::malformed_packet, 0x81, 5);
  check_rejects(hex("82 06"       // SUBSCRIBE, remaining length 6
                    "00 01"       // packet id 1
                    "00"          // property length 0
                    "00 01 74"),  // topic filter "t", subscription options missing (bad)
                errc::malformed_packet, 0x81, 8);
}

TEST_CASE("writes no Packet Identifier in a QoS 0 PUBLISH [MQTT-2.2.1-2]") {
  publish p;
  p.topic = "t";
  p.payload = bin("hi");
  CHECK(check_encodes(p) == hex("30 06"      // PUBLISH QoS 0, remaining length 6
                                "00 01 74"   // topic name "t"
                                "00"         // property length 0, no packet id before it
                                "68 69"));   // payload "hi"
}

TEST_CASE("reads the bytes after a QoS 0 Topic Name as the Property Length [MQTT-2.2.1-2]") {
  check_rejects(hex("30 08"      // PUBLISH QoS 0, remaining length 8
                    "00 01 74"   // topic name "t"
                    "02 05"      // a stray packet id 0x0205: property length 2, then id 0x05 (bad)
                    "00"         // the real property length
                    "68 69"),    // payload "hi"
                errc::malformed_packet, 0x81, 6);
  // A stray id whose first byte is 0 reads as an empty property block: the codec cannot tell,
  // and the rest of the id becomes payload.
  const byte_vec in = hex("30 08 00 01 74 00 01 00 68 69");
  CHECK(check_accepts<publish>(in).payload == bin(std::string_view("\x01\x00hi", 4)));
}

TEST_CASE("writes a Property Length of 0 when a packet has no properties [MQTT-2.2.2-1]") {
  connect c;
  c.client_id = "a";
  c.keep_alive = 60;
  CHECK(check_encodes(c) == hex("10 0e 00 04 4d515454 05 02 00 3c"
                                "00"              // property length 0
                                "00 01 61"));
  CHECK(check_encodes(connack{}) == hex("20 03 00 00 00"));
  publish p;
  p.topic = "t";
  p.qos = qos::at_least_once;
  p.packet_id = 1;
  CHECK(check_encodes(p) == hex("32 06 00 01 74 00 01 00"));
  const subscription subs[] = {{"t"}};
  subscribe s;
  s.packet_id = 1;
  s.subscriptions = subs;
  CHECK(check_encodes(s) == hex("82 07 00 01 00 00 01 74 00"));
  const std::uint8_t codes[] = {0x00};
  suback sa;
  sa.packet_id = 1;
  sa.reason_codes = binary(codes, 1);
  CHECK(check_encodes(sa) == hex("90 04 00 01 00 00"));
  const std::string_view filters[] = {"t"};
  unsubscribe u;
  u.packet_id = 1;
  u.topic_filters = filters;
  CHECK(check_encodes(u) == hex("a2 06 00 01 00 00 01 74"));
  unsuback ua;
  ua.packet_id = 1;
  ua.reason_codes = binary(codes, 1);
  CHECK(check_encodes(ua) == hex("b0 04 00 01 00 00"));
  // The short forms leave the reason code and the Property Length out together.
  CHECK(check_encodes(with_id<puback>()) == hex("40 02 00 01"));
  CHECK(check_encodes(disconnect{}) == hex("e0 00"));
  puback failed;
  failed.packet_id = 1;
  failed.reason_code = 0x80;
  CHECK(check_encodes(failed) == hex("40 03 00 01 80"));
}

TEST_CASE("rejects a packet that leaves out its Property Length [MQTT-2.2.2-1]") {
  check_rejects(hex("10 0a 00 04 4d515454 05 02 00 3c"), errc::malformed_packet, 0x81, 12);  // CONNECT
  check_rejects(hex("20 02 00 00"), errc::malformed_packet, 0x81, 4);                       // CONNACK
  check_rejects(hex("32 05"       // PUBLISH QoS 1, remaining length 5
                    "00 01 74"    // topic name "t"
                    "00 01"),     // packet id 1, then no property length (bad)
                errc::malformed_packet, 0x81, 7);
  check_rejects(hex("82 02 00 01"), errc::malformed_packet, 0x81, 4);  // SUBSCRIBE
  check_rejects(hex("90 02 00 01"), errc::malformed_packet, 0x81, 4);  // SUBACK
  check_rejects(hex("a2 02 00 01"), errc::malformed_packet, 0x81, 4);  // UNSUBSCRIBE
  check_rejects(hex("b0 02 00 01"), errc::malformed_packet, 0x81, 4);  // UNSUBACK
}

TEST_CASE("decodes a stream of every packet kind the same however it is split [MQTT-6.0.0-2]") {
  byte_vec in = hex(every_kind_hex);
  const byte_vec big(300, 0x61);  // a PUBLISH with a two-byte Remaining Length
  publish p;
  p.topic = "t";
  p.payload = binary(big.data(), big.size());
  const byte_vec more = check_encodes(p);
  in.insert(in.end(), more.begin(), more.end());
  const stream_outcome out = check_split_invariance(in, v5);
  CHECK(out.packets == 16);
  CHECK_FALSE(out.failure);
}

TEST_CASE("reports a bad packet after good ones at the same offset however the stream is split [MQTT-6.0.0-2]") {
  const byte_vec good = hex(every_kind_hex);
  byte_vec in = good;
  const byte_vec bad = hex("36 06 00 01 74 00 68 69");  // PUBLISH with QoS 3
  in.insert(in.end(), bad.begin(), bad.end());
  const stream_outcome out = check_split_invariance(in, v5);
  CHECK(out.packets == 15);
  REQUIRE(out.failure);
  CHECK(out.failure->code == errc::malformed_packet);
  CHECK(out.failure->reason_code == 0x81);
  CHECK(out.failure->offset == good.size());
}

}  // TEST_SUITE
