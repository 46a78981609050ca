// Codec rules of MQTT 3.1.1 (../shared/spec/conformance-v311.md), control packet format (2):
// fixed-header flags, Remaining Length, packet types and identifiers, and the byte stream.
// Each check runs at level 3 ("MQIsdp") and 4 ("MQTT").
#include <string>
#include <vector>

#include "rules_v311.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

TEST_SUITE("codec v311") {

TEST_CASE("writes and accepts the fixed-header flags of the packet table [MQTT-2.2.2-1 v3.1.1]") {
  static const subscription subs[] = {{"a", qos::at_most_once}};
  static const std::string_view filters[] = {"a"};
  static const std::uint8_t granted[] = {0};
  struct row {
    packet p;
    const char* wire;
  };
  const row rows[] = {
      {connack{}, "20 02 00 00"},
      {with_id<puback>(1), "40 02 00 01"},
      {with_id<pubrec>(1), "50 02 00 01"},
      {with_id<pubrel>(1), "62 02 00 01"},
      {with_id<pubcomp>(1), "70 02 00 01"},
      {subscribe{1, {}, subs}, "82 06 00 01 00 01 61 00"},
      {suback{1, {}, binary(granted, 1)}, "90 03 00 01 00"},
      {unsubscribe{1, {}, filters}, "a2 05 00 01 00 01 61"},
      {with_id<unsuback>(1), "b0 02 00 01"},
      {pingreq{}, "c0 00"},
      {pingresp{}, "d0 00"},
      {disconnect{}, "e0 00"},
  };
  for (protocol_version v : levels) {
    for (const row& r : rows) {
      INFO("level ", static_cast<int>(v), ": ", r.wire);
      const auto wire = hex(r.wire);
      std::vector<std::uint8_t> out;
      const result<std::size_t> n = encode(r.p, v, out);
      REQUIRE(n.has_value());
      CHECK(out == wire);
      const result<packet> d = decode_one(wire, v);
      REQUIRE(d.has_value());
      CHECK(*d == r.p);
    }
  }
  for (const connect_level& l : connect_levels) {
    connect c;
    c.version = l.v;
    c.client_id = "a";
    const auto out = encode_bytes(c, l.v);
    REQUIRE(out);
    CHECK((*out)[0] == 0x10);
    CHECK(accepted<connect>(*out, l.v).client_id == "a");
  }
}

TEST_CASE("closes on any other fixed-header flags [MQTT-2.2.2-2 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    // Types 1..14 except PUBLISH, whose flags are DUP, QoS and RETAIN.
    const std::vector<std::vector<std::uint8_t>> good = {
        connect_at(l, "02 00 3c 00 01 61"),  // CONNECT, client id "a"
        hex("20 02 00 00"),                  // CONNACK
        hex("40 02 00 01"),                  // PUBACK
        hex("50 02 00 01"),                  // PUBREC
        hex("62 02 00 01"),                  // PUBREL
        hex("70 02 00 01"),                  // PUBCOMP
        hex("82 06 00 01 00 01 61 00"),      // SUBSCRIBE "a" QoS 0
        hex("90 03 00 01 00"),               // SUBACK
        hex("a2 05 00 01 00 01 61"),         // UNSUBSCRIBE "a"
        hex("b0 02 00 01"),                  // UNSUBACK
        hex("c0 00"),                        // PINGREQ
        hex("d0 00"),                        // PINGRESP
        hex("e0 00"),                        // DISCONNECT
    };
    for (const auto& g : good) {
      const std::uint8_t type = g[0] >> 4, valid = g[0] & 0x0F;
      CHECK(decode_one(g, l.v).has_value());
      for (std::uint8_t flags = 0; flags < 16; ++flags) {
        if (flags == valid) continue;
        // Level 3 allows DUP on PUBREL, SUBSCRIBE and UNSUBSCRIBE [V31-D06].
        if (l.v == protocol_version::v3_1 && flags == 0x0A && (type == 6 || type == 8 || type == 10)) {
          continue;
        }
        auto bad = g;
        bad[0] = static_cast<std::uint8_t>(type << 4 | flags);
        check_rejected(bad, l.v, errc::malformed_packet, 0x81, 0);
      }
    }
    check_stream_rejects(hex("c0 00"), hex("c1 00"), l.v, errc::malformed_packet, 0x81, 0);
  }
}

TEST_CASE("rejects Packet Identifier 0 on SUBSCRIBE UNSUBSCRIBE and QoS 1 or 2 PUBLISH [MQTT-2.3.1-1 v3.1.1]") {
  const auto qos1 = hex("32 05"      // PUBLISH QoS 1, remaining length 5
                        "00 01 61"   // topic name "a"
                        "00 00");    // packet identifier 0 (bad)
  const auto qos2 = hex("34 05"      // PUBLISH QoS 2, remaining length 5
                        "00 01 61"   // topic name "a"
                        "00 00");    // packet identifier 0 (bad)
  const auto sub = hex("82 06"       // SUBSCRIBE, remaining length 6
                       "00 00"       // packet identifier 0 (bad)
                       "00 01 61"    // topic filter "a"
                       "00");        // requested QoS 0
  const auto unsub = hex("a2 05"     // UNSUBSCRIBE, remaining length 5
                         "00 00"     // packet identifier 0 (bad)
                         "00 01 61");  // topic filter "a"
  const auto good = hex("32 05"      // PUBLISH QoS 1, remaining length 5
                        "00 01 61"   // topic name "a"
                        "ff ff");    // packet identifier 65535
  static const subscription subs[] = {{"a", qos::at_most_once}};
  static const std::string_view filters[] = {"a"};
  for (protocol_version v : levels) {
    check_rejected(qos1, v, errc::protocol_error, 0x82, 5);
    check_rejected(qos2, v, errc::protocol_error, 0x82, 5);
    check_rejected(sub, v, errc::protocol_error, 0x82, 2);
    check_rejected(unsub, v, errc::protocol_error, 0x82, 2);
    CHECK(accepted<publish>(good, v).packet_id == 65535);
    check_stream_rejects(good, qos1, v, errc::protocol_error, 0x82, 5);
    publish p;
    p.topic = "a";
    p.qos = qos::at_least_once;
    check_refused(p, v);
    p.qos = qos::exactly_once;
    check_refused(p, v);
    check_refused(subscribe{0, {}, subs}, v);
    check_refused(unsubscribe{0, {}, filters}, v);
  }
}

TEST_CASE("never writes a Packet Identifier on a QoS 0 PUBLISH [MQTT-2.3.1-5 v3.1.1]") {
  const auto wire = hex("30 05"      // PUBLISH QoS 0, remaining length 5
                        "00 01 61"   // topic name "a"
                        "00 07");    // payload: no packet identifier at QoS 0
  for (protocol_version v : levels) {
    publish p;
    p.topic = "a";
    p.payload = binary(wire.data() + 5, 2);
    const auto out = encode_bytes(p, v);
    REQUIRE(out);
    CHECK(*out == wire);
    p.packet_id = 7;  // ignored or refused, never written
    const auto with_id = encode_bytes(p, v);
    if (with_id) CHECK(*with_id == wire);
    const publish d = accepted<publish>(wire, v);
    CHECK(d.packet_id == 0);
    CHECK(d.payload == binary(wire.data() + 5, 2));
  }
}

TEST_CASE("rejects a Remaining Length longer than four bytes or not in its shortest form [V311-U03]") {
  const auto five = hex("30"                // PUBLISH QoS 0
                        "ff ff ff ff 01");  // remaining length: 4th byte continues (bad)
  const auto max = hex("30"                 // PUBLISH QoS 0
                       "ff ff ff 7f");      // remaining length 268,435,455: legal
  const auto padded1 = hex("c0"             // PINGREQ
                           "80 00");        // remaining length 0 in two bytes (bad)
  const auto padded2 = hex("e0"             // DISCONNECT
                           "80 80 00");     // remaining length 0 in three bytes (bad)
  for (protocol_version v : levels) {
    check_rejected(five, v, errc::malformed_packet, 0x81, 4);
    packet out;
    const result<std::size_t> r = decode(max, v, out);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::need_more);
    check_rejected(padded1, v, errc::malformed_packet, 0x81, 2);
    check_rejected(padded2, v, errc::malformed_packet, 0x81, 3);
    check_stream_rejects(hex("c0 00"), five, v, errc::malformed_packet, 0x81, 4);
    check_stream_rejects(hex("c0 00"), padded2, v, errc::malformed_packet, 0x81, 3);
  }
}

TEST_CASE("rejects the reserved packet types 0 and 15 [V311-U04]") {
  for (protocol_version v : levels) {
    check_rejected(hex("00 00"), v, errc::malformed_packet, 0x81, 0);  // type 0
    check_rejected(hex("0f 00"), v, errc::malformed_packet, 0x81, 0);  // type 0, flags 1111
    check_rejected(hex("f0 00"), v, errc::malformed_packet, 0x81, 0);  // type 15 (AUTH in 5.0)
    check_rejected(hex("f0 02 00 00"), v, errc::malformed_packet, 0x81, 0);  // type 15 with a body
    check_stream_rejects(hex("d0 00"), hex("f0 00"), v, errc::malformed_packet, 0x81, 0);
    check_refused(auth{}, v);
  }
}

TEST_CASE("rejects a Remaining Length other than the fixed size or too short for the fields [V311-U06]") {
  struct bad {
    const char* wire;
    std::uint64_t at;
  };
  const bad cases[] = {
      {"20 03 00 00 00", 4},  // CONNACK, remaining length 3 (must be 2)
      {"20 01 00", 3},        // CONNACK, remaining length 1 (must be 2)
      {"40 03 00 01 00", 4},  // PUBACK, remaining length 3 (must be 2)
      {"40 01 00", 2},        // PUBACK, remaining length 1 (must be 2)
      {"50 03 00 01 00", 4},  // PUBREC, remaining length 3
      {"62 03 00 01 00", 4},  // PUBREL, remaining length 3
      {"70 03 00 01 00", 4},  // PUBCOMP, remaining length 3
      {"70 00", 2},           // PUBCOMP, remaining length 0
      {"b0 03 00 01 00", 4},  // UNSUBACK, remaining length 3
      {"c0 01 00", 2},        // PINGREQ, remaining length 1 (must be 0)
      {"d0 01 00", 2},        // PINGRESP, remaining length 1
      {"e0 01 00", 2},        // DISCONNECT, remaining length 1 (must be 0)
      {"32 03 00 01 61", 5},  // PUBLISH QoS 1 with no room for its packet identifier
  };
  for (protocol_version v : levels) {
    for (const bad& b : cases) check_rejected(hex(b.wire), v, errc::malformed_packet, 0x81, b.at);
    CHECK(accepted<puback>(hex("40 02 00 01"), v).packet_id == 1);
    check_stream_rejects(hex("40 02 00 01"), hex("40 03 00 01 00"), v, errc::malformed_packet, 0x81, 4);
  }
}

TEST_CASE("yields the same packets for every split of the byte stream [MQTT-6.0.0-2 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto from_client = concat(
        concat(connect_at(l, "c6"          // connect flags: user, password, Will QoS 0, clean
                             "00 3c"       // keep alive 60 s
                             "00 01 63"    // client id "c"
                             "00 01 74"    // Will Topic "t"
                             "00 01 6d"    // Will Message "m"
                             "00 01 75"    // user name "u"
                             "00 01 70"),  // password "p"
               hex("32 06 00 01 61 00 01 78"     // PUBLISH QoS 1 "a" id 1 payload "x"
                   "34 05 00 01 61 00 02"        // PUBLISH QoS 2 "a" id 2, empty payload
                   "62 02 00 02"                 // PUBREL id 2
                   "82 06 00 03 00 01 61 01")),  // SUBSCRIBE id 3 "a" QoS 1
        hex("a2 05 00 04 00 01 61"               // UNSUBSCRIBE id 4 "a"
            "c0 00"                              // PINGREQ
            "e0 00"));                           // DISCONNECT
    const stream_outcome c = check_split_invariance(from_client, l.v);
    CHECK(c.packets == 8);
    CHECK_FALSE(c.failure.has_value());
    const auto from_server = hex("20 02 00 00"                // CONNACK accepted
                                 "90 03 00 03 01"             // SUBACK id 3 QoS 1
                                 "30 04 00 01 61 78"          // PUBLISH QoS 0 "a" payload "x"
                                 "50 02 00 01"                // PUBREC id 1
                                 "b0 02 00 04"                // UNSUBACK id 4
                                 "d0 00");                    // PINGRESP
    const stream_outcome s = check_split_invariance(from_server, l.v);
    CHECK(s.packets == 6);
    CHECK_FALSE(s.failure.has_value());
  }
}

}  // TEST_SUITE
