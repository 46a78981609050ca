// MQTT 5.0 checklist, codec layer: property values (Table 2-4). Order and repeats of values,
// and the ranges that the unnumbered rules restate: Receive Maximum, Maximum Packet Size, the
// 0-or-1 flags, Payload Format Indicator and Subscription Identifier.
#include <algorithm>
#include <string>

#include "rules_v5.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

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
  CHECK(p.props.subscription_identifiers() == wire_list<std::uint32_t>(expected));
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
  CHECK(c.props.shared_subscription_available() == std::optional<bool>(false));
  CHECK(c.props.maximum_packet_size() == std::optional<std::uint32_t>(4096));
  CHECK(c.props.maximum_qos() == std::optional<std::uint8_t>(1));
  CHECK(c.props.receive_maximum() == std::optional<std::uint16_t>(10));
  CHECK(c.props.reason_string() == std::optional<std::string_view>("r"));
  CHECK(c.props.server_keep_alive() == std::optional<std::uint16_t>(60));
  CHECK(c.props.assigned_client_identifier() == std::optional<std::string_view>("a"));
  CHECK(c.props.session_expiry_interval() == std::optional<std::uint32_t>(60));
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
  p.set_receive_maximum(0);
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
  p.set_maximum_packet_size(0);
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
  p.set_maximum_qos(2);
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
    p.props.set_subscription_identifiers(ids);
    check_refused(p);
  }
}

}  // TEST_SUITE
