// Byte-exact vectors for the MQTT 5.0 acknowledgements PUBACK, PUBREC, PUBREL and PUBCOMP
// (OASIS MQTT 5.0 §3.4 - §3.7), written from the standard. Each has three forms: Remaining
// Length 2 (success, no properties), 3 (reason code only) and the long form with a Property
// Length. The encoder writes the shortest; the decoder also takes "reason code, property length
// 0", which is legal but re-encodes shorter.
#include "vector_checks.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {
// A reason string and a user property, as in the long-form vectors below.
const user_property k_v[] = {{"k", "v"}};

template <class P>
P ack(std::uint16_t id, std::uint8_t rc, bool with_props = false) {
  P p = with_id<P>(id);
  p.reason_code = rc;
  if (with_props) {
    p.props.set_reason_string("not allowed");
    p.props.set_user_properties(k_v);
  }
  return p;
}
}  // namespace

TEST_SUITE("codec v5") {

// PUBACK (3.4)

TEST_CASE("PUBACK with reason 0 and no properties is 4 bytes") {
  const auto wire = hex("40 02"    // PUBACK, remaining length 2
                        "00 07");  // packet id 7; reason 0x00 and no properties implied
  const puback got = round_trips(wire, v5, ack<puback>(7, 0x00));
  CHECK(got.packet_id == 7);
  CHECK(got.reason_code == 0);
  CHECK(got.props.empty());
}

TEST_CASE("PUBACK with a reason code and no properties omits the property length") {
  const auto wire = hex("40 03"    // PUBACK, remaining length 3
                        "00 07"    // packet id 7
                        "10");     // reason 0x10 no matching subscribers
  const puback got = round_trips(wire, v5, ack<puback>(7, reason::no_matching_subscribers));
  CHECK(got.reason_code == 0x10);
  CHECK(got.props.empty());
}

TEST_CASE("PUBACK with a reason string and a user property has the long form") {
  const auto wire = hex("40 19"                            // PUBACK, remaining length 25
                        "00 07"                            // packet id 7
                        "87"                               // reason 0x87 not authorized
                        "15"                               // property length 21
                        "1f 000b 6e6f7420616c6c6f776564"   // reason string "not allowed"
                        "26 0001 6b 0001 76");             // user property "k" = "v"
  const puback got = round_trips(wire, v5, ack<puback>(7, reason::not_authorized, true));
  CHECK(got.reason_code == 0x87);
  CHECK(got.props.reason_string() == std::optional<std::string_view>("not allowed"));
  CHECK(items(got.props.user_properties()) == std::vector<user_property>{{"k", "v"}});
}

TEST_CASE("PUBACK with a reason code and property length 0 decodes like the short forms") {
  // Decode only: both re-encode without the property length.
  decodes_to(hex("40 04 0007"     // PUBACK, remaining length 4, packet id 7
                 "00"             // reason 0x00 success
                 "00"),           // property length 0
             v5, ack<puback>(7, 0x00));
  decodes_to(hex("40 04 0007"     // PUBACK, remaining length 4, packet id 7
                 "10"             // reason 0x10 no matching subscribers
                 "00"),           // property length 0
             v5, ack<puback>(7, 0x10));
  stream_gives(hex("40 04 0007 00 00  40 04 0007 10 00"), v5, 2);
}

TEST_CASE("PUBACK and PUBREC carry each of their reason codes in 3 bytes [MQTT-3.4.2-1] [MQTT-3.5.2-1]") {
  const std::uint8_t codes[] = {0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99};
  for (std::uint8_t rc : codes) {
    CAPTURE(int(rc));
    std::vector<std::uint8_t> wire = hex("40 03 0007");  // PUBACK, remaining length 3, packet id 7
    wire.push_back(rc);                                  // reason code
    round_trips(wire, v5, ack<puback>(7, rc));
    wire[0] = 0x50;                                      // the same as PUBREC
    round_trips(wire, v5, ack<pubrec>(7, rc));
  }
}

// PUBREC (3.5)

TEST_CASE("PUBREC with reason 0 and no properties is 4 bytes") {
  const auto wire = hex("50 02"    // PUBREC, remaining length 2
                        "00 08");  // packet id 8
  const pubrec got = round_trips(wire, v5, ack<pubrec>(8, 0x00));
  CHECK(got.packet_id == 8);
  CHECK(got.reason_code == 0);
}

TEST_CASE("PUBREC with a reason code and no properties omits the property length") {
  const auto wire = hex("50 03"    // PUBREC, remaining length 3
                        "00 08"    // packet id 8
                        "80");     // reason 0x80 unspecified error
  const pubrec got = round_trips(wire, v5, ack<pubrec>(8, reason::unspecified_error));
  CHECK(got.reason_code == 0x80);
}

TEST_CASE("PUBREC with a reason string and a user property has the long form") {
  const auto wire = hex("50 19"                            // PUBREC, remaining length 25
                        "00 08"                            // packet id 8
                        "97"                               // reason 0x97 quota exceeded
                        "15"                               // property length 21
                        "1f 000b 6e6f7420616c6c6f776564"   // reason string "not allowed"
                        "26 0001 6b 0001 76");             // user property "k" = "v"
  const pubrec got = round_trips(wire, v5, ack<pubrec>(8, reason::quota_exceeded, true));
  CHECK(got.reason_code == 0x97);
  CHECK(got.props.reason_string() == std::optional<std::string_view>("not allowed"));
}

TEST_CASE("PUBREC with a reason code and property length 0 decodes like the short forms") {
  decodes_to(hex("50 04 0008 00 00"), v5, ack<pubrec>(8, 0x00));  // PUBREC 8, success, property length 0
  decodes_to(hex("50 04 0008 80 00"), v5, ack<pubrec>(8, 0x80));  // PUBREC 8, 0x80, property length 0
  stream_gives(hex("50 04 0008 00 00  50 04 0008 80 00"), v5, 2);
}

// PUBREL (3.6)

TEST_CASE("PUBREL with reason 0 and no properties is 4 bytes [MQTT-3.6.1-1]") {
  const auto wire = hex("62 02"    // PUBREL, flags 0010, remaining length 2
                        "00 09");  // packet id 9
  const pubrel got = round_trips(wire, v5, ack<pubrel>(9, 0x00));
  CHECK(got.packet_id == 9);
  CHECK(got.reason_code == 0);
  CHECK_FALSE(got.dup);
}

TEST_CASE("PUBREL with reason 0x92 and no properties omits the property length [MQTT-3.6.2-1]") {
  const auto wire = hex("62 03"    // PUBREL, flags 0010, remaining length 3
                        "00 09"    // packet id 9
                        "92");     // reason 0x92 packet identifier not found
  const pubrel got = round_trips(wire, v5, ack<pubrel>(9, reason::packet_identifier_not_found));
  CHECK(got.reason_code == 0x92);
}

TEST_CASE("PUBREL with a reason string and a user property has the long form") {
  const auto wire = hex("62 19"                            // PUBREL, flags 0010, remaining length 25
                        "00 09"                            // packet id 9
                        "92"                               // reason 0x92 packet identifier not found
                        "15"                               // property length 21
                        "1f 000b 6e6f7420616c6c6f776564"   // reason string "not allowed"
                        "26 0001 6b 0001 76");             // user property "k" = "v"
  const pubrel got = round_trips(wire, v5, ack<pubrel>(9, 0x92, true));
  CHECK(got.props.reason_string() == std::optional<std::string_view>("not allowed"));
  CHECK(items(got.props.user_properties()) == std::vector<user_property>{{"k", "v"}});
}

TEST_CASE("PUBREL with a reason code and property length 0 decodes like the short forms") {
  decodes_to(hex("62 04 0009 00 00"), v5, ack<pubrel>(9, 0x00));  // PUBREL 9, success, property length 0
  decodes_to(hex("62 04 0009 92 00"), v5, ack<pubrel>(9, 0x92));  // PUBREL 9, 0x92, property length 0
  stream_gives(hex("62 04 0009 00 00  62 04 0009 92 00"), v5, 2);
}

// PUBCOMP (3.7)

TEST_CASE("PUBCOMP with reason 0 and no properties is 4 bytes") {
  const auto wire = hex("70 02"    // PUBCOMP, remaining length 2
                        "00 0a");  // packet id 10
  const pubcomp got = round_trips(wire, v5, ack<pubcomp>(10, 0x00));
  CHECK(got.packet_id == 10);
  CHECK(got.reason_code == 0);
}

TEST_CASE("PUBCOMP with reason 0x92 and no properties omits the property length [MQTT-3.7.2-1]") {
  const auto wire = hex("70 03"    // PUBCOMP, remaining length 3
                        "00 0a"    // packet id 10
                        "92");     // reason 0x92 packet identifier not found
  const pubcomp got = round_trips(wire, v5, ack<pubcomp>(10, 0x92));
  CHECK(got.reason_code == 0x92);
}

TEST_CASE("PUBCOMP with reason 0 and properties writes the reason code and the long form") {
  const auto wire = hex("70 19"                            // PUBCOMP, remaining length 25
                        "00 0a"                            // packet id 10
                        "00"                               // reason 0x00 success
                        "15"                               // property length 21
                        "1f 000b 6e6f7420616c6c6f776564"   // reason string "not allowed"
                        "26 0001 6b 0001 76");             // user property "k" = "v"
  const pubcomp got = round_trips(wire, v5, ack<pubcomp>(10, 0x00, true));
  CHECK(got.reason_code == 0);
  CHECK(got.props.reason_string() == std::optional<std::string_view>("not allowed"));
}

TEST_CASE("PUBCOMP with a reason code and property length 0 decodes like the short forms") {
  decodes_to(hex("70 04 000a 00 00"), v5, ack<pubcomp>(10, 0x00));  // PUBCOMP 10, success, property length 0
  decodes_to(hex("70 04 000a 92 00"), v5, ack<pubcomp>(10, 0x92));  // PUBCOMP 10, 0x92, property length 0
  stream_gives(hex("70 04 000a 00 00  70 04 000a 92 00"), v5, 2);
}

}  // TEST_SUITE
