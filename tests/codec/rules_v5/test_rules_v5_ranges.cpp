// MQTT 5.0 checklist, codec layer: property values (Table 2-4). Order and repeats of values,
// and the ranges that the unnumbered rules restate: Receive Maximum, Maximum Packet Size, the
// 0-or-1 flags, Payload Format Indicator and Subscription Identifier.
#include <algorithm>
#include <string>

#include "codec_helpers.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

constexpr protocol_version v5 = protocol_version::v5;
using byte_vec = std::vector<std::uint8_t>;

// decode() rejects `in` with this error; a stream holding a PINGREQ and then `in` yields the
// PINGREQ and then the same error, two bytes further on, however it is split.
[[maybe_unused]] void check_rejects(const byte_vec& in, errc code, std::uint8_t rc, std::uint64_t offset,
                                    const decode_options& o = {}) {
  const std::string input = to_hex(in);
  INFO("input: ", input);
  const result<packet> r = decode_one(in, v5, o);
  if (r) {
    FAIL_CHECK("the packet was accepted");
    return;
  }
  const error& e = r.error();
  const std::string message = e.message();
  INFO("error: ", message);
  CHECK(e.code == code);
  CHECK(e.reason_code == rc);
  CHECK(e.offset == offset);
  CHECK(e.packet == in[0] >> 4);
  CHECK(*e.field != '\0');
  CHECK(*e.what != '\0');
  byte_vec stream = hex("c0 00");  // PINGREQ
  stream.insert(stream.end(), in.begin(), in.end());
  const stream_outcome s = check_split_invariance(stream, v5, o);
  CHECK(s.packets == 1);
  REQUIRE(s.failure);
  CHECK(s.failure->code == code);
  CHECK(s.failure->reason_code == rc);
  CHECK(s.failure->offset == offset + 2);
}

// Decodes `in`, which must be exactly one packet of kind P; views point into `in`.
template <class P>
P check_accepts(const byte_vec& in, const decode_options& o = {}) {
  const std::string input = to_hex(in);
  INFO("input: ", input);
  const result<packet> r = decode_one(in, v5, o);
  REQUIRE_MESSAGE(r, (r ? std::string() : r.error().message()));
  REQUIRE(std::holds_alternative<P>(*r));
  return std::get<P>(*r);
}

// The encoder refuses `p` with errc::invalid_packet and writes nothing.
template <class P>
void check_refused(const P& p) {
  const auto r = encode_bytes(p, v5);  // checks that nothing was appended
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::invalid_packet);
  CHECK(*r.error().field != '\0');
  CHECK(*r.error().what != '\0');
  byte_vec buf(64, 0xEE);
  const result<std::size_t> n = encode(p, v5, std::span<std::uint8_t>(buf));
  REQUIRE_FALSE(n);
  CHECK(n.error().code == errc::invalid_packet);
  CHECK(std::all_of(buf.begin(), buf.end(), [](std::uint8_t b) { return b == 0xEE; }));
}

template <class P>
byte_vec check_encodes(const P& p) {
  const auto r = encode_bytes(p, v5);
  REQUIRE_MESSAGE(r, (r ? std::string() : r.error().message()));
  return *r;
}

// A packet: first byte, Remaining Length, body.
[[maybe_unused]] byte_vec frame(std::uint8_t first, const byte_vec& body) {
  byte_vec out;
  out.reserve(5 + body.size());
  out.push_back(first);
  std::uint32_t n = static_cast<std::uint32_t>(body.size());
  do {
    const std::uint8_t b = n & 0x7F;
    n >>= 7;
    out.push_back(static_cast<std::uint8_t>(n != 0 ? (b | 0x80) : b));
  } while (n != 0);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// A two-byte length, then the bytes.
[[maybe_unused]] byte_vec field(const byte_vec& b) {
  byte_vec out;
  out.reserve(2 + b.size());
  out.push_back(static_cast<std::uint8_t>(b.size() >> 8));
  out.push_back(static_cast<std::uint8_t>(b.size()));
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// A QoS 0 PUBLISH with no properties whose Topic Name holds `topic`; the topic starts at byte 4.
[[maybe_unused]] byte_vec publish_with_topic(const byte_vec& topic) {
  byte_vec body = field(topic);
  body.push_back(0x00);  // property length
  return frame(0x30, body);
}

// A packet of kind P with only its Packet Identifier set.
template <class P>
P with_id(std::uint16_t id = 1) {
  P p;
  p.packet_id = id;
  return p;
}

[[maybe_unused]] std::string_view sv(const byte_vec& b) { return text(b); }

// CONNECT (clean start, client id "a") with this property block; properties start at byte 13.
byte_vec connect_props(const byte_vec& props) {
  byte_vec body = hex("00 04 4d515454 05 02 00 3c");  // "MQTT", level 5, clean start, keep alive 60
  body.push_back(static_cast<std::uint8_t>(props.size()));
  body.insert(body.end(), props.begin(), props.end());
  const byte_vec id = hex("00 01 61");  // client id "a"
  body.insert(body.end(), id.begin(), id.end());
  return frame(0x10, body);
}

// CONNECT with a Will whose Will Properties are `props`; they start at byte 17.
byte_vec will_props(const byte_vec& props) {
  byte_vec body = hex("00 04 4d515454 05 06 00 3c"  // "MQTT", level 5, clean start + will
                      "00 00 01 61");               // no properties, client id "a"
  body.push_back(static_cast<std::uint8_t>(props.size()));
  body.insert(body.end(), props.begin(), props.end());
  const byte_vec rest = hex("00 01 74 00 00");  // Will Topic "t", empty Will Payload
  body.insert(body.end(), rest.begin(), rest.end());
  return frame(0x10, body);
}

// CONNACK 0x00 with this property block; properties start at byte 5.
byte_vec connack_props(const byte_vec& props) {
  byte_vec body = hex("00 00");  // acknowledge flags, reason code 0x00
  body.push_back(static_cast<std::uint8_t>(props.size()));
  body.insert(body.end(), props.begin(), props.end());
  return frame(0x20, body);
}

// QoS 0 PUBLISH to "t" with this property block; properties start at byte 6.
byte_vec publish_props(const byte_vec& props) {
  byte_vec body = hex("00 01 74");  // topic name "t"
  body.push_back(static_cast<std::uint8_t>(props.size()));
  body.insert(body.end(), props.begin(), props.end());
  return frame(0x30, body);
}

[[maybe_unused]] void check_decodes(const byte_vec& in) {
  const std::string input = to_hex(in);
  INFO("input: ", input);
  const result<packet> r = decode_one(in, v5);
  CHECK_MESSAGE(r, (r ? std::string() : r.error().message()));
}

connect connect_with(const properties& p) {
  connect c;
  c.client_id = "a";
  c.props = p;
  return c;
}

}  // namespace

TEST_SUITE("codec v5") {

TEST_CASE("accepts several Subscription Identifiers in PUBLISH and keeps their order [V5-U08]") {
  const byte_vec in = hex("30 0b"       // PUBLISH QoS 0, remaining length 11
                          "00 01 74"    // topic name "t"
                          "07"          // property length 7
                          "0b 05"       // Subscription Identifier 5
                          "0b 80 01"    // Subscription Identifier 128
                          "0b 02");     // Subscription Identifier 2
  const publish p = check_accepts<publish>(in);
  const std::uint32_t expected[] = {5, 128, 2};
  CHECK(p.props.subscription_identifiers == wire_list<std::uint32_t>(expected));
  CHECK(check_encodes(p) == in);
}

TEST_CASE("accepts distinct properties in any order [V5-U08]") {
  const byte_vec in = hex("20 1f"            // CONNACK, remaining length 31
                          "00 00"            // acknowledge flags, reason code 0x00
                          "1c"               // property length 28
                          "2a 00"            // Shared Subscription Available 0
                          "27 00 00 10 00"   // Maximum Packet Size 4096
                          "24 01"            // Maximum QoS 1
                          "21 00 0a"         // Receive Maximum 10
                          "1f 00 01 72"      // Reason String "r"
                          "13 00 3c"         // Server Keep Alive 60
                          "12 00 01 61"      // Assigned Client Identifier "a"
                          "11 00 00 00 3c"); // Session Expiry Interval 60
  const connack c = check_accepts<connack>(in);
  CHECK(c.props.shared_subscription_available == std::optional<bool>(false));
  CHECK(c.props.maximum_packet_size == std::optional<std::uint32_t>(4096));
  CHECK(c.props.maximum_qos == std::optional<std::uint8_t>(1));
  CHECK(c.props.receive_maximum == std::optional<std::uint16_t>(10));
  CHECK(c.props.reason_string == std::optional<std::string_view>("r"));
  CHECK(c.props.server_keep_alive == std::optional<std::uint16_t>(60));
  CHECK(c.props.assigned_client_identifier == std::optional<std::string_view>("a"));
  CHECK(c.props.session_expiry_interval == std::optional<std::uint32_t>(60));
  const byte_vec again = check_encodes(c);  // written in ascending order
  CHECK(check_accepts<connack>(again) == c);
}

TEST_CASE("rejects a Receive Maximum of 0 [V5-U09]") {
  check_rejects(hex("20 06"      // CONNACK, remaining length 6
                    "00 00"      // acknowledge flags, reason code 0x00
                    "03"         // property length 3
                    "21 00 00"), // Receive Maximum 0 (bad)
                errc::protocol_error, 0x82, 5);
  check_rejects(connect_props(hex("21 00 00")), errc::protocol_error, 0x82, 13);
  for (const char* fine : {"21 00 01", "21 ff ff"}) {
    check_decodes(connect_props(hex(fine)));
    check_decodes(connack_props(hex(fine)));
  }
  properties p;
  p.receive_maximum = 0;
  check_refused(connect_with(p));
  check_refused(connack{false, 0, p});
}

TEST_CASE("rejects a Maximum Packet Size of 0 [V5-U10]") {
  check_rejects(hex("20 08"            // CONNACK, remaining length 8
                    "00 00"            // acknowledge flags, reason code 0x00
                    "05"               // property length 5
                    "27 00 00 00 00"), // Maximum Packet Size 0 (bad)
                errc::protocol_error, 0x82, 5);
  check_rejects(connect_props(hex("27 00 00 00 00")), errc::protocol_error, 0x82, 13);
  for (const char* fine : {"27 00 00 00 01", "27 ff ff ff ff"}) {
    check_decodes(connect_props(hex(fine)));
    check_decodes(connack_props(hex(fine)));
  }
  properties p;
  p.maximum_packet_size = 0;
  check_refused(connect_with(p));
  check_refused(connack{false, 0, p});
}

TEST_CASE("rejects Request Response or Problem Information other than 0 or 1 [V5-U11]") {
  check_rejects(hex("10 10"           // CONNECT, remaining length 16
                    "00 04 4d515454"  // protocol name "MQTT"
                    "05 02 00 3c"     // level 5, clean start, keep alive 60
                    "02"              // property length 2
                    "19 02"           // Request Response Information 2 (bad)
                    "00 01 61"),      // client id "a"
                errc::protocol_error, 0x82, 13);
  for (std::uint8_t id : {0x17, 0x19}) {
    for (int v = 0; v < 256; ++v) {
      CAPTURE(int{id});
      CAPTURE(v);
      const byte_vec in = connect_props(byte_vec{id, static_cast<std::uint8_t>(v)});
      if (v <= 1) {
        check_decodes(in);
      } else {
        check_rejects(in, errc::protocol_error, 0x82, 13);
      }
    }
  }
}

TEST_CASE("rejects CONNACK capability flags other than 0 or 1 [V5-U12]") {
  check_rejects(hex("20 05"    // CONNACK, remaining length 5
                    "00 00"    // acknowledge flags, reason code 0x00
                    "02"       // property length 2
                    "24 02"),  // Maximum QoS 2 (bad: the property exists to say 0 or 1)
                errc::protocol_error, 0x82, 5);
  for (std::uint8_t id : {0x24, 0x25, 0x28, 0x29, 0x2A}) {
    for (int v = 0; v < 256; ++v) {
      CAPTURE(int{id});
      CAPTURE(v);
      const byte_vec in = connack_props(byte_vec{id, static_cast<std::uint8_t>(v)});
      if (v <= 1) {
        check_decodes(in);
      } else {
        check_rejects(in, errc::protocol_error, 0x82, 5);
      }
    }
  }
  properties p;
  p.maximum_qos = 2;
  check_refused(connack{false, 0, p});
}

TEST_CASE("rejects a Payload Format Indicator other than 0 or 1 (Table 2-4) [V5-U15]") {
  check_rejects(hex("30 06"     // PUBLISH QoS 0, remaining length 6
                    "00 01 74"  // topic name "t"
                    "02"        // property length 2
                    "01 02"),   // Payload Format Indicator 2 (bad)
                errc::protocol_error, 0x82, 6);
  check_rejects(will_props(hex("01 ff")), errc::protocol_error, 0x82, 17);
  for (const char* fine : {"01 00", "01 01"}) {
    check_decodes(publish_props(hex(fine)));
    check_decodes(will_props(hex(fine)));
  }
}

TEST_CASE("rejects a Subscription Identifier of 0 in PUBLISH [V5-U17]") {
  check_rejects(hex("30 06"     // PUBLISH QoS 0, remaining length 6
                    "00 01 74"  // topic name "t"
                    "02"        // property length 2
                    "0b 00"),   // Subscription Identifier 0 (bad)
                errc::protocol_error, 0x82, 6);
  check_rejects(hex("30 08 00 01 74 04 0b 01 0b 00"), errc::protocol_error, 0x82, 8);  // second one is 0
  const std::uint32_t zero[] = {0};
  const std::uint32_t too_big[] = {268'435'456};
  for (const auto& ids : {std::span<const std::uint32_t>(zero), std::span<const std::uint32_t>(too_big)}) {
    publish p;
    p.topic = "t";
    p.props.subscription_identifiers = ids;
    check_refused(p);
  }
}

}  // TEST_SUITE
