// Codec rules of MQTT 3.1.1 (../shared/spec/conformance-v311.md), section 4.7: Topic Names and
// Topic Filters in PUBLISH, SUBSCRIBE and UNSUBSCRIBE. Each check runs at level 3 and 4.
#include <string>
#include <vector>

#include "rules_v311.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

// Packets around one string, for the tables of names and filters (lengths below 120 bytes).
std::vector<std::uint8_t> frame(std::uint8_t first, std::string_view head_hex, std::string_view s,
                                std::string_view tail_hex) {
  const std::vector<std::uint8_t> head = hex(head_hex), tail = hex(tail_hex);
  const std::size_t n = head.size() + 2 + s.size() + tail.size();
  REQUIRE(n < 128);
  std::vector<std::uint8_t> out(2 + n);
  std::size_t i = 0;
  out[i++] = first;
  out[i++] = static_cast<std::uint8_t>(n);
  for (std::uint8_t b : head) out[i++] = b;
  out[i++] = static_cast<std::uint8_t>(s.size() >> 8);
  out[i++] = static_cast<std::uint8_t>(s.size());
  for (char c : s) out[i++] = static_cast<std::uint8_t>(c);
  for (std::uint8_t b : tail) out[i++] = b;
  return out;
}
// PUBLISH QoS 0 to topic t; the topic's length field is at byte 2.
std::vector<std::uint8_t> publish_to(std::string_view t) { return frame(0x30, "", t, ""); }
// SUBSCRIBE id 1 to filter f at QoS 0; the filter's length field is at byte 4.
std::vector<std::uint8_t> subscribe_to(std::string_view f) { return frame(0x82, "00 01", f, "00"); }
// UNSUBSCRIBE id 1 from filter f; the filter's length field is at byte 4.
std::vector<std::uint8_t> unsubscribe_from(std::string_view f) { return frame(0xA2, "00 01", f, ""); }

// SUBSCRIBE and UNSUBSCRIBE of one filter; the filter must outlive the packet.
struct one_filter {
  subscription sub[1];
  std::string_view filter[1];
  explicit one_filter(std::string_view f) {
    sub[0].topic_filter = f;
    filter[0] = f;
  }
  one_filter(const one_filter&) = delete;  // the packets point into it
  subscribe as_subscribe() const {
    subscribe s;
    s.packet_id = 1;
    s.subscriptions = sub;
    return s;
  }
  unsubscribe as_unsubscribe() const {
    unsubscribe u;
    u.packet_id = 1;
    u.topic_filters = filter;
    return u;
  }
};

// Filters of level 3 and 4: accepted in SUBSCRIBE and UNSUBSCRIBE, and encodable.
void check_filter_ok(std::string_view f, protocol_version v) {
  INFO("filter \"", std::string(f), "\"");
  const auto sub = subscribe_to(f);
  CHECK(accepted<subscribe>(sub, v).subscriptions.front().topic_filter == f);
  const auto unsub = unsubscribe_from(f);
  CHECK(accepted<unsubscribe>(unsub, v).topic_filters.front() == f);
  const one_filter o(f);
  CHECK(encode_bytes(o.as_subscribe(), v));
  CHECK(encode_bytes(o.as_unsubscribe(), v));
}

// Filters whose syntax is wrong: the whole packet fails with 0x8F, and nothing is sent.
void check_filter_bad(std::string_view f, protocol_version v) {
  INFO("filter \"", std::string(f), "\"");
  check_rejected(subscribe_to(f), v, errc::topic_filter_invalid, 0x8F, 4);
  check_rejected(unsubscribe_from(f), v, errc::topic_filter_invalid, 0x8F, 4);
  const one_filter o(f);
  check_refused(o.as_subscribe(), v);
  check_refused(o.as_unsubscribe(), v);
}

}  // namespace

TEST_SUITE("codec v311") {

TEST_CASE("accepts wildcards in Topic Filters and rejects them in Topic Names [MQTT-4.7.1-1 v3.1.1]") {
  const auto bad = hex("30 05"             // PUBLISH QoS 0, remaining length 5
                       "00 03 61 2f 2b");  // topic name "a/+" (bad)
  for (protocol_version v : levels) {
    check_rejected(bad, v, errc::topic_name_invalid, 0x90, 2);
    for (std::string_view t : {"#", "+", "a/#", "sport/+/player1", "a+b", "x#"}) {
      INFO("topic \"", std::string(t), "\"");
      check_rejected(publish_to(t), v, errc::topic_name_invalid, 0x90, 2);
      check_refused(make_publish(t), v);
    }
    for (std::string_view f : {"#", "+", "+/+", "sport/#", "sport/+/player1"}) check_filter_ok(f, v);
  }
}

TEST_CASE("accepts '#' only as a whole last level of a Topic Filter [MQTT-4.7.1-2 v3.1.1]") {
  const auto second = hex("82 0b"        // SUBSCRIBE, remaining length 11
                          "00 01"        // packet identifier 1
                          "00 01 61"     // topic filter "a"
                          "00"           // requested QoS 0
                          "00 02 61 23"  // topic filter "a#" (bad)
                          "00");         // requested QoS 0
  for (protocol_version v : levels) {
    check_rejected(second, v, errc::topic_filter_invalid, 0x8F, 8);
    for (std::string_view f : {"sport/tennis#", "sport/tennis/#/ranking", "#/", "##", "a#", "#a", "+#"}) {
      check_filter_bad(f, v);
    }
    for (std::string_view f : {"#", "sport/#", "sport/tennis/player1/#", "/#", "+/#"}) check_filter_ok(f, v);
    std::vector<std::uint8_t> stream = subscribe_to("sport/#");
    stream.insert(stream.end(), second.begin(), second.end());
    const stream_outcome s = check_split_invariance(stream, v);
    CHECK(s.packets == 1);
    REQUIRE(s.failure.has_value());
    CHECK(s.failure->code == errc::topic_filter_invalid);
    CHECK(s.failure->offset == subscribe_to("sport/#").size() + 8);
  }
}

TEST_CASE("accepts '+' only as a whole level of a Topic Filter [MQTT-4.7.1-3 v3.1.1]") {
  const auto bad = hex("a2 08"              // UNSUBSCRIBE, remaining length 8
                       "00 01"              // packet identifier 1
                       "00 04 61 2f 62 2b");  // topic filter "a/b+" (bad)
  for (protocol_version v : levels) {
    check_rejected(bad, v, errc::topic_filter_invalid, 0x8F, 4);
    for (std::string_view f : {"sport+", "+a", "a/b+/c", "++", "sport/+tennis"}) check_filter_bad(f, v);
    for (std::string_view f : {"+", "+/tennis/#", "sport/+/player1", "/+", "+/", "+/+", "/finance/+"}) {
      check_filter_ok(f, v);
    }
  }
}

TEST_CASE("rejects an empty Topic Name [MQTT-4.7.3-1 v3.1.1]") {
  const auto qos0 = hex("30 02"  // PUBLISH QoS 0, remaining length 2
                        "00 00");  // topic name "" (bad)
  const auto qos1 = hex("32 05"    // PUBLISH QoS 1, remaining length 5
                        "00 00"    // topic name "" (bad)
                        "00 01"    // packet identifier 1
                        "78");     // payload "x"
  for (protocol_version v : levels) {
    check_rejected(qos0, v, errc::protocol_error, 0x82, 2);
    check_rejected(qos1, v, errc::protocol_error, 0x82, 2);
    check_refused(make_publish(""), v);
    CHECK(accepted<publish>(publish_to("/"), v).topic == "/");  // one character is enough
  }
}

TEST_CASE("rejects an empty Topic Filter [MQTT-4.7.3-1 v3.1.1]") {
  const auto sub = hex("82 05"  // SUBSCRIBE, remaining length 5
                       "00 01"  // packet identifier 1
                       "00 00"  // topic filter "" (bad)
                       "00");   // requested QoS 0
  const auto unsub = hex("a2 04"   // UNSUBSCRIBE, remaining length 4
                         "00 01"   // packet identifier 1
                         "00 00");  // topic filter "" (bad)
  for (protocol_version v : levels) {
    check_rejected(sub, v, errc::protocol_error, 0x82, 4);
    check_rejected(unsub, v, errc::protocol_error, 0x82, 4);
    const one_filter o("");
    check_refused(o.as_subscribe(), v);
    check_refused(o.as_unsubscribe(), v);
    check_filter_ok("/", v);
  }
}

TEST_CASE("rejects U+0000 in Topic Names and Topic Filters [MQTT-4.7.3-2 v3.1.1]") {
  const auto name = hex("30 05"             // PUBLISH QoS 0, remaining length 5
                        "00 03 61 00 62");  // topic name "a" U+0000 "b" (bad)
  const auto sub = hex("82 08"           // SUBSCRIBE, remaining length 8
                       "00 01"           // packet identifier 1
                       "00 03 61 00 62"  // topic filter "a" U+0000 "b" (bad)
                       "00");            // requested QoS 0
  const auto unsub = hex("a2 07"             // UNSUBSCRIBE, remaining length 7
                         "00 01"             // packet identifier 1
                         "00 03 61 00 62");  // topic filter "a" U+0000 "b" (bad)
  const std::string_view nul("a\0b", 3);
  for (protocol_version v : levels) {
    check_rejected(name, v, errc::malformed_packet, 0x81, 5);
    check_rejected(sub, v, errc::malformed_packet, 0x81, 7);
    check_rejected(unsub, v, errc::malformed_packet, 0x81, 7);
    check_refused(make_publish(nul), v);
    const one_filter o(nul);
    check_refused(o.as_subscribe(), v);
    check_refused(o.as_unsubscribe(), v);
  }
}

TEST_CASE("refuses to send a Topic Name or Topic Filter over 65535 bytes [MQTT-4.7.3-3 v3.1.1]") {
  const std::string longest(65535, 'a'), too_long(65536, 'a');
  for (protocol_version v : levels) {
    check_refused(make_publish(too_long), v);
    const one_filter o(too_long);
    check_refused(o.as_subscribe(), v);
    check_refused(o.as_unsubscribe(), v);
    const auto out = encode_bytes(make_publish(longest), v);
    REQUIRE(out);
    CHECK(out->size() == 1 + 3 + 2 + 65535);  // Remaining Length 65537 takes 3 bytes
    CHECK(accepted<publish>(*out, v).topic == longest);
    const one_filter ok(longest);
    const auto sub = encode_bytes(ok.as_subscribe(), v);
    REQUIRE(sub);
    CHECK(accepted<subscribe>(*sub, v).subscriptions.front().topic_filter == longest);
  }
}

}  // TEST_SUITE
