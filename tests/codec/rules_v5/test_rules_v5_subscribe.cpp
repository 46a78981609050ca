// MQTT 5.0 checklist, codec layer: SUBSCRIBE (3.8), UNSUBSCRIBE (3.10), Topic Filters (4.7) and
// shared subscriptions (4.8.2). The codec fails the whole packet on a bad filter (0x8F); a
// server that prefers SUBACK 0x8F for that one filter decides so above the codec.
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
  REQUIRE(s.props.subscription_identifiers.size() == 1);
  CHECK(s.props.subscription_identifiers.front() == 268'435'455u);
  const subscription subs[] = {{"a/b"}};
  const std::uint32_t two[] = {1, 2};
  const std::uint32_t zero[] = {0};
  for (const auto* ids : {&two[0], &zero[0]}) {
    subscribe out;
    out.packet_id = 10;
    out.subscriptions = subs;
    out.props.subscription_identifiers = std::span<const std::uint32_t>(ids, ids == two ? 2 : 1);
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
