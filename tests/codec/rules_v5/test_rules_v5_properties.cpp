// MQTT 5.0 checklist, codec layer: the property table (2.2.2, Table 2-4). Which packets each
// property may appear in, undefined identifiers, values cut short, repeats, and value ranges.
// The table below is copied from the checklist, not from the library.
#include <algorithm>
#include <string>

#include "rules_v5.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

using scope = property_scope;
constexpr scope every_scope[] = {scope::connect,  scope::will,    scope::connack,   scope::publish, scope::puback,
                                 scope::pubrec,   scope::pubrel,  scope::pubcomp,   scope::subscribe,
                                 scope::suback,   scope::unsubscribe, scope::unsuback, scope::disconnect,
                                 scope::auth};
const char* const scope_names[] = {"CONNECT", "Will", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL",
                                   "PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK",
                                   "DISCONNECT", "AUTH"};

struct property_row {
  std::uint8_t id;
  const char* value;  // a legal value, hex
  std::vector<scope> allowed;
};

// Table 2-4 of the checklist.
const std::vector<property_row>& property_table() {
  static const std::vector<property_row> rows = {
      {0x01, "01", {scope::publish, scope::will}},
      {0x02, "00 00 00 3c", {scope::publish, scope::will}},
      {0x03, "00 01 61", {scope::publish, scope::will}},
      {0x08, "00 01 72", {scope::publish, scope::will}},
      {0x09, "00 01 63", {scope::publish, scope::will}},
      {0x0B, "01", {scope::publish, scope::subscribe}},
      {0x11, "00 00 00 3c", {scope::connect, scope::connack, scope::disconnect}},
      {0x12, "00 01 61", {scope::connack}},
      {0x13, "00 3c", {scope::connack}},
      {0x15, "00 01 6d", {scope::connect, scope::connack, scope::auth}},
      {0x16, "00 01 64", {scope::connect, scope::connack, scope::auth}},
      {0x17, "01", {scope::connect}},
      {0x18, "00 00 00 3c", {scope::will}},
      {0x19, "01", {scope::connect}},
      {0x1A, "00 01 61", {scope::connack}},
      {0x1C, "00 01 61", {scope::connack, scope::disconnect}},
      {0x1F, "00 01 61", {scope::connack, scope::puback, scope::pubrec, scope::pubrel, scope::pubcomp,
                          scope::suback, scope::unsuback, scope::disconnect, scope::auth}},
      {0x21, "00 01", {scope::connect, scope::connack}},
      {0x22, "00 01", {scope::connect, scope::connack}},
      {0x23, "00 01", {scope::publish}},
      {0x24, "01", {scope::connack}},
      {0x25, "01", {scope::connack}},
      {0x26, "00 01 61 00 01 62", std::vector<scope>(std::begin(every_scope), std::end(every_scope))},
      {0x27, "00 00 00 01", {scope::connect, scope::connack}},
      {0x28, "01", {scope::connack}},
      {0x29, "01", {scope::connack}},
      {0x2A, "01", {scope::connack}},
  };
  return rows;
}

std::size_t vbi_len(std::size_t n) { return n < 128 ? 1 : n < 16'384 ? 2 : 3; }

// A packet of this scope whose (first) property block is `props`; `at` receives the offset of
// its first property byte.
byte_vec in_scope(scope s, const byte_vec& props, std::uint64_t& at) {
  std::uint8_t first = 0;
  byte_vec before, after;
  switch (s) {
    case scope::connect: first = 0x10, before = hex("00 04 4d515454 05 02 00 3c"), after = hex("00 01 61"); break;
    case scope::will: first = 0x10, before = hex("00 04 4d515454 05 06 00 3c 00 00 01 61"), after = hex("00 01 74 00 00"); break;
    case scope::connack: first = 0x20, before = hex("00 00"); break;
    case scope::publish: first = 0x30, before = hex("00 01 74"); break;
    case scope::puback: first = 0x40, before = hex("00 01 00"); break;
    case scope::pubrec: first = 0x50, before = hex("00 01 00"); break;
    case scope::pubrel: first = 0x62, before = hex("00 01 00"); break;
    case scope::pubcomp: first = 0x70, before = hex("00 01 00"); break;
    case scope::subscribe: first = 0x82, before = hex("00 01"), after = hex("00 01 74 00"); break;
    case scope::suback: first = 0x90, before = hex("00 01"), after = hex("00"); break;
    case scope::unsubscribe: first = 0xA2, before = hex("00 01"), after = hex("00 01 74"); break;
    case scope::unsuback: first = 0xB0, before = hex("00 01"), after = hex("00"); break;
    case scope::disconnect: first = 0xE0, before = hex("00"); break;
    case scope::auth: first = 0xF0, before = hex("18"); break;
  }
  byte_vec body = before;
  body.push_back(static_cast<std::uint8_t>(props.size()));  // property length (< 128 here)
  body.insert(body.end(), props.begin(), props.end());
  body.insert(body.end(), after.begin(), after.end());
  at = 1 + vbi_len(body.size()) + before.size() + 1;
  return frame(first, body);
}

// The property block of a row in a scope: the property, plus the Authentication Method that
// AUTH always needs and that Authentication Data needs in CONNECT.
byte_vec block_for(const property_row& row, scope s, int copies = 1) {
  byte_vec b;
  for (int i = 0; i < copies; ++i) {
    b.push_back(row.id);
    const byte_vec v = hex(row.value);
    b.insert(b.end(), v.begin(), v.end());
  }
  if ((s == scope::auth && row.id != 0x15) || (s == scope::connect && row.id == 0x16)) {
    const byte_vec method = hex("15 00 01 6d");
    b.insert(b.end(), method.begin(), method.end());
  }
  return b;
}

// One property set to a legal value.
properties one_property(std::uint8_t id) {
  static const std::uint32_t sub_ids[] = {1};
  static const user_property ups[] = {{"a", "b"}};
  properties p;
  switch (id) {
    case 0x01: p.set_payload_format_indicator(true); break;
    case 0x02: p.set_message_expiry_interval(60); break;
    case 0x03: p.set_content_type("a"); break;
    case 0x08: p.set_response_topic("r"); break;
    case 0x09: p.set_correlation_data(bin("c")); break;
    case 0x0B: p.set_subscription_identifiers(sub_ids); break;
    case 0x11: p.set_session_expiry_interval(60); break;
    case 0x12: p.set_assigned_client_identifier("a"); break;
    case 0x13: p.set_server_keep_alive(60); break;
    case 0x15: p.set_authentication_method("m"); break;
    case 0x16: p.set_authentication_data(bin("d")); break;
    case 0x17: p.set_request_problem_information(true); break;
    case 0x18: p.set_will_delay_interval(60); break;
    case 0x19: p.set_request_response_information(true); break;
    case 0x1A: p.set_response_information("a"); break;
    case 0x1C: p.set_server_reference("a"); break;
    case 0x1F: p.set_reason_string("a"); break;
    case 0x21: p.set_receive_maximum(1); break;
    case 0x22: p.set_topic_alias_maximum(1); break;
    case 0x23: p.set_topic_alias(1); break;
    case 0x24: p.set_maximum_qos(1); break;
    case 0x25: p.set_retain_available(true); break;
    case 0x26: p.set_user_properties(ups); break;
    case 0x27: p.set_maximum_packet_size(1); break;
    case 0x28: p.set_wildcard_subscription_available(true); break;
    case 0x29: p.set_subscription_identifier_available(true); break;
    case 0x2A: p.set_shared_subscription_available(true); break;
    default: FAIL("no such property");
  }
  return p;
}

// A packet of this scope carrying `p` (plus the Authentication Method where it is needed).
packet packet_with(scope s, const properties& p) {
  static const subscription subs[] = {{"t"}};
  static const std::string_view filters[] = {"t"};
  static const std::uint8_t codes[] = {0x00};
  auto ack = [&p](auto a) {
    a.packet_id = 1;
    a.props = p;
    return packet(a);
  };
  switch (s) {
    case scope::connect: {
      connect c;
      c.client_id = "a";
      c.props = p;
      if (p.authentication_data() && !p.authentication_method()) c.props.set_authentication_method("m");
      return c;
    }
    case scope::will: {
      connect c;
      c.client_id = "a";
      c.will.emplace();
      c.will->topic = "t";
      c.will->props = p;
      return c;
    }
    case scope::connack: return connack{false, 0, p};
    case scope::publish: {
      publish x;
      x.topic = "t";
      x.props = p;
      return x;
    }
    case scope::puback: return ack(puback{});
    case scope::pubrec: return ack(pubrec{});
    case scope::pubrel: return ack(pubrel{});
    case scope::pubcomp: return ack(pubcomp{});
    case scope::subscribe: return subscribe{1, p, subs, false};
    case scope::suback: return suback{1, p, binary(codes, 1)};
    case scope::unsubscribe: return unsubscribe{1, p, filters, false};
    case scope::unsuback: return unsuback{1, p, binary(codes, 1)};
    case scope::disconnect: return disconnect{0, p};
    case scope::auth: {
      auth a;
      a.reason_code = 0x18;
      a.props = p;
      if (!p.authentication_method()) a.props.set_authentication_method("m");
      return a;
    }
  }
  return pingreq{};
}

}  // namespace

TEST_SUITE("codec v5") {

TEST_CASE("accepts each property only in the packets that Table 2-4 allows [V5-U07]") {
  check_rejects(hex("30 07"       // PUBLISH QoS 0, remaining length 7
                    "00 01 74"    // topic name "t"
                    "03"          // property length 3
                    "21 00 0a"),  // Receive Maximum: not a PUBLISH property (bad)
                errc::malformed_packet, 0x81, 6);
  for (const property_row& row : property_table()) {
    for (std::size_t i = 0; i < std::size(every_scope); ++i) {
      const scope s = every_scope[i];
      const std::string where = scope_names[i];
      const int id = row.id;
      CAPTURE(id);
      CAPTURE(where);
      const bool allowed = std::find(row.allowed.begin(), row.allowed.end(), s) != row.allowed.end();
      std::uint64_t at = 0;
      const byte_vec in = in_scope(s, block_for(row, s), at);
      const packet p = packet_with(s, one_property(row.id));
      if (allowed) {
        check_decodes(in);
        check_encodes(p);
      } else {
        check_rejects(in, errc::malformed_packet, 0x81, at);
        check_refused(p);
      }
    }
  }
}

TEST_CASE("rejects property identifiers that 5.0 does not define [V5-U07]") {
  check_rejects(hex("30 06"     // PUBLISH QoS 0, remaining length 6
                    "00 01 74"  // topic name "t"
                    "02"        // property length 2
                    "04 00"),   // identifier 0x04: undefined (bad)
                errc::malformed_packet, 0x81, 6);
  std::vector<bool> defined(128, false);
  for (const property_row& row : property_table()) defined[row.id] = true;
  for (int id = 0; id < 128; ++id) {
    if (defined[static_cast<std::size_t>(id)]) continue;
    CAPTURE(id);
    check_rejects(byte_vec{0x30, 0x06, 0x00, 0x01, 0x74, 0x02, static_cast<std::uint8_t>(id), 0x00},
                  errc::malformed_packet, 0x81, 6);
    check_rejects(byte_vec{0x20, 0x05, 0x00, 0x00, 0x02, static_cast<std::uint8_t>(id), 0x00},
                  errc::malformed_packet, 0x81, 5);
  }
  // Identifiers are Variable Byte Integers; none above 127 is defined.
  check_rejects(hex("30 07 00 01 74 03 80 01 00"), errc::malformed_packet, 0x81, 6);  // identifier 128
}

TEST_CASE("rejects a property value cut short by the end of the property block [V5-U07]") {
  struct cut {
    const char* block;  // in CONNACK, whose properties start at byte 5
    std::uint64_t at;   // offset of the fault
  };
  const cut cases[] = {
      {"24", 6},                    // Maximum QoS: Byte missing
      {"21 00", 6},                 // Receive Maximum: Two Byte Integer cut short
      {"27 00 00 01", 6},           // Maximum Packet Size: Four Byte Integer cut short
      {"1f 00 05 61", 6},           // Reason String: 5 bytes announced, 1 present
      {"16 00 03 61", 6},           // Authentication Data: 3 bytes announced, 1 present
      {"26 00 01 61 00 02 62", 9},  // User Property: value of 2 bytes, 1 present
      {"26 00 01 61", 9},           // User Property: value missing
  };
  for (const cut& c : cases) {
    const std::string block = c.block;
    CAPTURE(block);
    const byte_vec props = hex(c.block);
    byte_vec body = hex("00 00");  // acknowledge flags, reason code 0x00
    body.push_back(static_cast<std::uint8_t>(props.size()));
    body.insert(body.end(), props.begin(), props.end());
    check_rejects(frame(0x20, body), errc::malformed_packet, 0x81, c.at);
  }
  check_rejects(hex("30 06"     // PUBLISH QoS 0, remaining length 6
                    "00 01 74"  // topic name "t"
                    "02"        // property length 2
                    "0b 80"),   // Subscription Identifier: Variable Byte Integer cut short (bad)
                errc::malformed_packet, 0x81, 7);
}

TEST_CASE("rejects a non-repeatable property that appears twice [V5-U08]") {
  check_rejects(hex("20 09"          // CONNACK, remaining length 9
                    "00 00"          // acknowledge flags, reason code 0x00
                    "06"             // property length 6
                    "21 00 0a"       // Receive Maximum 10
                    "21 00 0a"),     // Receive Maximum again (bad)
                errc::protocol_error, 0x82, 8);
  for (const property_row& row : property_table()) {
    if (row.id == 0x26) continue;
    // A Subscription Identifier may repeat in PUBLISH but not in SUBSCRIBE.
    const scope s = row.id == 0x0B ? scope::subscribe : row.allowed.front();
    const int id = row.id;
    CAPTURE(id);
    std::uint64_t at = 0;
    const byte_vec in = in_scope(s, block_for(row, s, 2), at);
    check_rejects(in, errc::protocol_error, 0x82, at + 1 + hex(row.value).size());
  }
}

TEST_CASE("accepts repeated User Properties in every packet and keeps their order [V5-U08]") {
  const property_row* user = nullptr;
  for (const property_row& row : property_table()) {
    if (row.id == 0x26) user = &row;
  }
  REQUIRE(user);
  for (std::size_t i = 0; i < std::size(every_scope); ++i) {
    const std::string where = scope_names[i];
    CAPTURE(where);
    std::uint64_t at = 0;
    check_decodes(in_scope(every_scope[i], block_for(*user, every_scope[i], 3), at));
  }
  const byte_vec in = hex("30 19"             // PUBLISH QoS 0, remaining length 25
                          "00 01 74"          // topic name "t"
                          "15"                // property length 21
                          "26 0001 61 0001 31"  // User Property a=1
                          "26 0001 62 0001 32"  // User Property b=2
                          "26 0001 61 0001 33"  // User Property a=3
                          );
  const publish p = check_accepts<publish>(in);
  const user_property expected[] = {{"a", "1"}, {"b", "2"}, {"a", "3"}};
  CHECK(p.props.user_properties() == wire_list<user_property>(expected));
  CHECK(check_encodes(p) == in);
}

}  // TEST_SUITE
