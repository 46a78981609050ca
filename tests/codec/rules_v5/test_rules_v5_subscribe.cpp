// MQTT 5.0 checklist, codec layer: SUBSCRIBE (3.8), UNSUBSCRIBE (3.10), Topic Filters (4.7) and
// shared subscriptions (4.8.2). The codec fails the whole packet on a bad filter (0x8F); a
// server that prefers SUBACK 0x8F for that one filter decides so above the codec.
#include <algorithm>
#include <string>

#include "rules_v5.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

// A SUBSCRIBE with packet id 10, no properties, and these filters with these options; the
// first filter starts at byte 5 when the packet is shorter than 128 bytes.
byte_vec subscribe_with(const std::vector<std::pair<std::string, std::uint8_t>>& entries) {
  byte_vec body = hex("00 0a 00");  // packet id 10, property length 0
  for (const auto& [filter, options] : entries) {
    const byte_vec f = field(byte_vec(filter.begin(), filter.end()));
    body.insert(body.end(), f.begin(), f.end());
    body.push_back(options);
  }
  return frame(0x82, body);
}

// An UNSUBSCRIBE with packet id 10, no properties, and these filters (the first at byte 5).
byte_vec unsubscribe_with(const std::vector<std::string>& filters) {
  byte_vec body = hex("00 0a 00");  // packet id 10, property length 0
  for (const std::string& filter : filters) {
    const byte_vec f = field(byte_vec(filter.begin(), filter.end()));
    body.insert(body.end(), f.begin(), f.end());
  }
  return frame(0xa2, body);
}

// SUBSCRIBE and UNSUBSCRIBE both reject `filter` with 0x8F, and the encoders refuse it.
void check_bad_filter(const std::string& filter) {
  CAPTURE(filter);
  check_rejects(subscribe_with({{filter, 0x01}}), errc::topic_filter_invalid, 0x8F, 5);
  check_rejects(unsubscribe_with({filter}), errc::topic_filter_invalid, 0x8F, 5);
  // The whole packet fails, whichever filter is bad.
  check_rejects(subscribe_with({{"a/b", 0x01}, {filter, 0x01}}), errc::topic_filter_invalid, 0x8F, 5 + 6);
  check_rejects(unsubscribe_with({"a/b", filter}), errc::topic_filter_invalid, 0x8F, 5 + 5);
  const subscription subs[] = {{filter}};
  subscribe s;
  s.packet_id = 10;
  s.subscriptions = subs;
  check_refused(s);
  const std::string_view filters[] = {filter};
  unsubscribe u;
  u.packet_id = 10;
  u.topic_filters = filters;
  check_refused(u);
}

// SUBSCRIBE and UNSUBSCRIBE both accept `filter`.
void check_good_filter(const std::string& filter) {
  CAPTURE(filter);
  const byte_vec sub = subscribe_with({{filter, 0x01}});
  CHECK(check_accepts<subscribe>(sub).subscriptions.front().topic_filter == filter);
  const byte_vec unsub = unsubscribe_with({filter});
  CHECK(check_accepts<unsubscribe>(unsub).topic_filters.front() == filter);
}

}  // namespace

TEST_SUITE("codec v5") {

TEST_CASE("rejects SUBSCRIBE with fixed-header flags other than 0010 [MQTT-3.8.1-1]") {
  check_rejects(hex("80 09"         // SUBSCRIBE, flags 0000 (bad)
                    "00 0a"         // packet id 10
                    "00"            // property length 0
                    "00 03 612f62"  // topic filter "a/b"
                    "01"),          // subscription options: QoS 1
                errc::malformed_packet, 0x81, 0);
  byte_vec in = subscribe_with({{"a/b", 0x01}});
  for (int flags = 0; flags < 16; ++flags) {
    if (flags == 2) continue;
    CAPTURE(flags);
    in[0] = static_cast<std::uint8_t>(0x80 | flags);
    check_rejects(in, errc::malformed_packet, 0x81, 0);
  }
}

TEST_CASE("rejects a SUBSCRIBE Topic Filter that is not well-formed UTF-8 [MQTT-3.8.3-1]") {
  check_rejects(hex("82 09"         // SUBSCRIBE, remaining length 9
                    "00 0a"         // packet id 10
                    "00"            // property length 0
                    "00 03 612fff"  // topic filter "a/" 0xFF (bad)
                    "01"),          // subscription options: QoS 1
                errc::malformed_packet, 0x81, 9);
  const subscription subs[] = {{"a/\xff"}};
  subscribe s;
  s.packet_id = 10;
  s.subscriptions = subs;
  check_refused(s);
}

TEST_CASE("rejects a SUBSCRIBE without a Topic Filter [MQTT-3.8.3-2]") {
  check_rejects(hex("82 03"   // SUBSCRIBE, remaining length 3
                    "00 0a"   // packet id 10
                    "00"),    // property length 0; no topic filter (bad)
                errc::protocol_error, 0x82, 5);
  subscribe s;
  s.packet_id = 10;
  check_refused(s);
}

TEST_CASE("rejects No Local on a shared subscription [MQTT-3.8.3-4]") {
  check_rejects(hex("82 10"                      // SUBSCRIBE, remaining length 16
                    "00 0a"                      // packet id 10
                    "00"                         // property length 0
                    "00 0a 247368617265 2f672f61" // topic filter "$share/g/a"
                    "04"),                       // subscription options: No Local (bad here)
                errc::protocol_error, 0x82, 17);
  const byte_vec plain = subscribe_with({{"a/b", 0x04}});
  CHECK(check_accepts<subscribe>(plain).subscriptions.front().no_local);
  const subscription subs[] = {{"$share/g/a", qos::at_most_once, true}};
  subscribe s;
  s.packet_id = 10;
  s.subscriptions = subs;
  check_refused(s);
}

TEST_CASE("rejects Subscription Options with reserved bits set [MQTT-3.8.3-5]") {
  check_rejects(hex("82 09"         // SUBSCRIBE, remaining length 9
                    "00 0a"         // packet id 10
                    "00"            // property length 0
                    "00 03 612f62"  // topic filter "a/b"
                    "41"),          // subscription options: bit 6 set (bad), QoS 1
                errc::malformed_packet, 0x81, 10);
  for (std::uint8_t options : {0x80, 0xc0, 0xee}) {
    CAPTURE(int{options});
    check_rejects(subscribe_with({{"a/b", options}}), errc::malformed_packet, 0x81, 10);
  }
}

TEST_CASE("rejects Subscription Options with QoS 3 or Retain Handling 3 [V5-U18]") {
  check_rejects(hex("82 09"         // SUBSCRIBE, remaining length 9
                    "00 0a"         // packet id 10
                    "00"            // property length 0
                    "00 03 612f62"  // topic filter "a/b"
                    "03"),          // subscription options: QoS 3 (bad)
                errc::protocol_error, 0x82, 10);
  check_rejects(subscribe_with({{"a/b", 0x30}}), errc::protocol_error, 0x82, 10);  // Retain Handling 3
  check_rejects(subscribe_with({{"a/b", 0x01}, {"c", 0x31}}), errc::protocol_error, 0x82, 14);
  const byte_vec all = subscribe_with({{"a/b", 0x2e}});  // Retain Handling 2, RAP, No Local, QoS 2
  const subscription s = check_accepts<subscribe>(all).subscriptions.front();
  CHECK(s.max_qos == qos::exactly_once);
  CHECK(s.no_local);
  CHECK(s.retain_as_published);
  CHECK(s.retain_handling == 2);
  subscription bad_qos{"a/b"};
  bad_qos.max_qos = static_cast<qos>(3);
  subscription bad_rh{"a/b"};
  bad_rh.retain_handling = 3;
  for (const subscription& bad : {bad_qos, bad_rh}) {
    const subscription subs[] = {bad};
    subscribe out;
    out.packet_id = 10;
    out.subscriptions = subs;
    check_refused(out);
  }
}

TEST_CASE("rejects a Subscription Identifier of 0 or more than one in SUBSCRIBE [V5-U17]") {
  check_rejects(hex("82 0d"         // SUBSCRIBE, remaining length 13
                    "00 0a"         // packet id 10
                    "04"            // property length 4
                    "0b 01"         // Subscription Identifier 1
                    "0b 02"         // Subscription Identifier 2 (bad: only one allowed)
                    "00 03 612f62"  // topic filter "a/b"
                    "01"),          // subscription options: QoS 1
                errc::protocol_error, 0x82, 7);
  check_rejects(hex("82 0b"         // SUBSCRIBE, remaining length 11
                    "00 0a"         // packet id 10
                    "02"            // property length 2
                    "0b 00"         // Subscription Identifier 0 (bad)
                    "00 03 612f62"  // topic filter "a/b"
                    "01"),          // subscription options: QoS 1
                errc::protocol_error, 0x82, 5);
  const byte_vec one = hex("82 0e 00 0a 05 0b ff ff ff 7f 00 03 612f62 01");
  const subscribe s = check_accepts<subscribe>(one);
  REQUIRE(s.props.subscription_identifiers().size() == 1);
  CHECK(s.props.subscription_identifiers().front() == 268'435'455u);
  const subscription subs[] = {{"a/b"}};
  const std::uint32_t two[] = {1, 2};
  const std::uint32_t zero[] = {0};
  for (const auto* ids : {&two[0], &zero[0]}) {
    subscribe out;
    out.packet_id = 10;
    out.subscriptions = subs;
    out.props.set_subscription_identifiers(std::span<const std::uint32_t>(ids, ids == two ? 2 : 1));
    check_refused(out);
  }
}

TEST_CASE("rejects UNSUBSCRIBE with fixed-header flags other than 0010 [MQTT-3.10.1-1]") {
  check_rejects(hex("a0 08"          // UNSUBSCRIBE, flags 0000 (bad)
                    "00 0a"          // packet id 10
                    "00"             // property length 0
                    "00 03 612f62"), // topic filter "a/b"
                errc::malformed_packet, 0x81, 0);
  byte_vec in = unsubscribe_with({"a/b"});
  for (int flags = 0; flags < 16; ++flags) {
    if (flags == 2) continue;
    CAPTURE(flags);
    in[0] = static_cast<std::uint8_t>(0xa0 | flags);
    check_rejects(in, errc::malformed_packet, 0x81, 0);
  }
}

TEST_CASE("rejects an UNSUBSCRIBE Topic Filter that is not well-formed UTF-8 [MQTT-3.10.3-1]") {
  check_rejects(hex("a2 08"          // UNSUBSCRIBE, remaining length 8
                    "00 0a"          // packet id 10
                    "00"             // property length 0
                    "00 03 612fc0"), // topic filter "a/" C0 (bad)
                errc::malformed_packet, 0x81, 9);
  const std::string_view filters[] = {"a/\xc0"};
  unsubscribe u;
  u.packet_id = 10;
  u.topic_filters = filters;
  check_refused(u);
}

TEST_CASE("rejects an UNSUBSCRIBE without a Topic Filter [MQTT-3.10.3-2]") {
  check_rejects(hex("a2 03"   // UNSUBSCRIBE, remaining length 3
                    "00 0a"   // packet id 10
                    "00"),    // property length 0; no topic filter (bad)
                errc::protocol_error, 0x82, 5);
  unsubscribe u;
  u.packet_id = 10;
  check_refused(u);
}

TEST_CASE("rejects a multi-level wildcard that is not a whole last level [MQTT-4.7.1-1]") {
  check_rejects(hex("82 08"        // SUBSCRIBE, remaining length 8
                    "00 0a"        // packet id 10
                    "00"           // property length 0
                    "00 02 6123"   // topic filter "a#" (bad)
                    "01"),         // subscription options: QoS 1
                errc::topic_filter_invalid, 0x8F, 5);
  for (const char* f : {"a#", "#/a", "a/#/b", "a/b#", "##", "#a", "sport/tennis#", "sport/tennis/#/ranking"}) {
    check_bad_filter(f);
  }
  for (const char* f : {"#", "a/#", "/#", "+/#", "sport/tennis/player1/#"}) check_good_filter(f);
}

TEST_CASE("rejects a single-level wildcard that does not fill its level [MQTT-4.7.1-2]") {
  for (const char* f : {"a+", "+a", "a/+b", "a/b+/c", "++", "sport+"}) check_bad_filter(f);
  for (const char* f : {"+", "+/+", "/+", "+/", "a/+/b", "sport/+/player1", "+/tennis/#"}) check_good_filter(f);
}

TEST_CASE("rejects an empty Topic Filter [MQTT-4.7.3-1]") {
  check_rejects(hex("82 06"   // SUBSCRIBE, remaining length 6
                    "00 0a"   // packet id 10
                    "00"      // property length 0
                    "00 00"   // topic filter empty (bad)
                    "01"),    // subscription options: QoS 1
                errc::topic_filter_invalid, 0x8F, 5);
  check_bad_filter("");
  check_good_filter("/");
}

TEST_CASE("rejects U+0000 in a Topic Filter [MQTT-4.7.3-2]") {
  const std::string nul("a\0b", 3);
  check_rejects(subscribe_with({{nul, 0x01}}), errc::malformed_packet, 0x81, 8);
  check_rejects(unsubscribe_with({nul}), errc::malformed_packet, 0x81, 8);
  const subscription subs[] = {{nul}};
  subscribe s;
  s.packet_id = 10;
  s.subscriptions = subs;
  check_refused(s);
  const std::string_view filters[] = {nul};
  unsubscribe u;
  u.packet_id = 10;
  u.topic_filters = filters;
  check_refused(u);
}

TEST_CASE("refuses to encode a Topic Filter longer than 65535 bytes [MQTT-4.7.3-3]") {
  const std::string too_long(65'536, 'a');
  const subscription subs[] = {{too_long}};
  subscribe s;
  s.packet_id = 10;
  s.subscriptions = subs;
  check_refused(s);
  const std::string_view filters[] = {too_long};
  unsubscribe u;
  u.packet_id = 10;
  u.topic_filters = filters;
  check_refused(u);
  const std::string longest(65'535, 'a');
  const subscription ok[] = {{longest}};
  s.subscriptions = ok;
  const byte_vec wire = check_encodes(s);
  CHECK(check_accepts<subscribe>(wire).subscriptions.front().topic_filter == longest);
}

TEST_CASE("rejects a shared subscription without a ShareName [MQTT-4.8.2-1]") {
  check_rejects(hex("82 0f"                       // SUBSCRIBE, remaining length 15
                    "00 0a"                       // packet id 10
                    "00"                          // property length 0
                    "00 09 247368617265 2f2f61"   // topic filter "$share//a" (bad)
                    "01"),                        // subscription options: QoS 1
                errc::topic_filter_invalid, 0x8F, 5);
  for (const char* f : {"$share/", "$share//a", "$share/g", "$share//"}) check_bad_filter(f);
  for (const char* f : {"$share/g/a", "$share/consumer1/sport/tennis/+", "$sharex/a", "$SHARE//a"}) {
    check_good_filter(f);
  }
}

TEST_CASE("rejects a ShareName with a wildcard or without a Topic Filter after it [MQTT-4.8.2-2]") {
  for (const char* f : {"$share/g+/a", "$share/#/a", "$share/a+b/c", "$share/g/", "$share/+/#"}) {
    check_bad_filter(f);
  }
  for (const char* f : {"$share/g/+", "$share/g/#", "$share/g/a/b", "$share/g//"}) check_good_filter(f);
}

}  // TEST_SUITE
