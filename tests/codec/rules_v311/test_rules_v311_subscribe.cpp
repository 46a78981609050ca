// Codec rules of MQTT 3.1.1 (../shared/spec/conformance-v311.md), sections 3.8 SUBSCRIBE, 3.9
// SUBACK, 3.10 UNSUBSCRIBE and 3.14 DISCONNECT. Each check runs at level 3 ("MQIsdp") and 4.
#include <string>
#include <vector>

#include "rules_v311.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

// Every flags nibble but 0010 (and, at level 3, DUP 1010 [V31-D06]) is malformed.
void check_only_0010(const std::vector<std::uint8_t>& good, protocol_version v) {
  for (std::uint8_t flags = 0; flags < 16; ++flags) {
    if (flags == 0x2 || (flags == 0xA && v == protocol_version::v3_1)) continue;
    auto bad = good;
    bad[0] = static_cast<std::uint8_t>((good[0] & 0xF0) | flags);
    check_malformed(bad, v, 0);
  }
}

subscribe make_subscribe(std::span<const subscription> subs) {
  subscribe s;
  s.packet_id = 1;
  s.subscriptions = subs;
  return s;
}
unsubscribe make_unsubscribe(std::span<const std::string_view> filters) {
  unsubscribe u;
  u.packet_id = 1;
  u.topic_filters = filters;
  return u;
}
subscription make_subscription(std::string_view f, qos q) {
  subscription s;
  s.topic_filter = f;
  s.max_qos = q;
  return s;
}
suback make_suback(std::uint8_t code) {
  static std::uint8_t codes[256];
  codes[code] = code;
  suback s;
  s.packet_id = 1;
  s.reason_codes = binary(&codes[code], 1);
  return s;
}

}  // namespace

TEST_SUITE("codec v311") {

TEST_CASE("rejects SUBSCRIBE fixed-header flags other than 0010 [MQTT-3.8.1-1 v3.1.1]") {
  const auto good = hex("82 06"     // SUBSCRIBE, remaining length 6
                        "00 01"     // packet identifier 1
                        "00 01 61"  // topic filter "a"
                        "00");      // requested QoS 0
  const subscription subs[] = {make_subscription("a", qos::at_most_once)};
  for (protocol_version v : levels) {
    check_only_0010(good, v);
    const subscribe s = accepted<subscribe>(good, v);
    CHECK(s.packet_id == 1);
    CHECK_FALSE(s.dup);
    const auto out = encode_bytes(make_subscribe(subs), v);
    REQUIRE(out);
    CHECK(*out == good);
    check_stream_rejects(good, hex("80 06 00 01 00 01 61 00"), v, errc::malformed_packet, 0x81, 0);
  }
  check_malformed(hex("8a 06 00 01 00 01 61 00"), protocol_version::v3_1_1, 0);
  subscribe dup = make_subscribe(subs);
  dup.dup = true;
  check_refused(dup, protocol_version::v3_1_1);
}

TEST_CASE("rejects a SUBSCRIBE Topic Filter that is not UTF-8 [MQTT-3.8.3-1 v3.1.1]") {
  const auto first = hex("82 07"        // SUBSCRIBE, remaining length 7
                         "00 01"        // packet identifier 1
                         "00 02 c3 28"  // topic filter: C3 then '(' (bad)
                         "00");         // requested QoS 0
  const auto second = hex("82 0c"           // SUBSCRIBE, remaining length 12
                          "00 01"           // packet identifier 1
                          "00 01 61"        // topic filter "a"
                          "01"              // requested QoS 1
                          "00 03 ed a0 80"  // topic filter U+D800 (bad)
                          "00");            // requested QoS 0
  const auto cut = hex("82 05"      // SUBSCRIBE, remaining length 5
                       "00 01"      // packet identifier 1
                       "00 05 61");  // topic filter of 5 bytes, only 1 left (bad)
  const auto good = hex("82 08"           // SUBSCRIBE, remaining length 8
                        "00 01"           // packet identifier 1
                        "00 03 61 c3 a9"  // topic filter "a" U+00E9
                        "01");            // requested QoS 1
  const subscription bad_subs[] = {make_subscription("\xC3\x28", qos::at_most_once)};
  for (protocol_version v : levels) {
    check_malformed(first, v, 6);
    check_malformed(second, v, 10);
    check_malformed(cut, v, 4);
    const subscribe s = accepted<subscribe>(good, v);
    CHECK(s.subscriptions.front() == make_subscription("a\xC3\xA9", qos::at_least_once));
    check_stream_rejects(good, second, v, errc::malformed_packet, 0x81, 10);
    check_refused(make_subscribe(bad_subs), v);
  }
}

TEST_CASE("rejects a SUBSCRIBE without a Topic Filter [MQTT-3.8.3-3 v3.1.1]") {
  const auto empty = hex("82 02"   // SUBSCRIBE, remaining length 2
                         "00 01");  // packet identifier 1, then no filter (bad)
  const auto good = hex("82 06 00 01 00 01 61 00");  // SUBSCRIBE id 1 "a" QoS 0
  for (protocol_version v : levels) {
    check_rejected(empty, v, errc::protocol_error, 0x82, 4);
    CHECK(accepted<subscribe>(good, v).subscriptions.size() == 1);
    check_stream_rejects(good, empty, v, errc::protocol_error, 0x82, 4);
    check_refused(make_subscribe({}), v);
  }
}

TEST_CASE("rejects a requested QoS byte with reserved bits or QoS 3 [MQTT-3.8.3-4 v3.1.1]") {
  const auto second = hex("82 0a"     // SUBSCRIBE, remaining length 10
                          "00 01"     // packet identifier 1
                          "00 01 61"  // topic filter "a"
                          "01"        // requested QoS 1
                          "00 01 62"  // topic filter "b"
                          "03");      // requested QoS 3 (bad)
  const auto missing = hex("82 05"      // SUBSCRIBE, remaining length 5
                           "00 01"      // packet identifier 1
                           "00 01 61");  // topic filter "a", then no QoS byte (bad)
  for (protocol_version v : levels) {
    for (int o : {0x03, 0x04, 0x08, 0x0c, 0x10, 0x20, 0x40, 0x80, 0xfc, 0xff}) {
      auto bad = hex("82 06"     // SUBSCRIBE, remaining length 6
                     "00 01"     // packet identifier 1
                     "00 01 61"  // topic filter "a"
                     "00");      // requested QoS (patched below)
      bad[7] = static_cast<std::uint8_t>(o);
      check_malformed(bad, v, 7);
    }
    check_malformed(second, v, 11);
    check_malformed(missing, v, 7);
    for (int q = 0; q < 3; ++q) {
      auto good = hex("82 06 00 01 00 01 61 00");  // SUBSCRIBE id 1 "a", QoS patched below
      good[7] = static_cast<std::uint8_t>(q);
      CHECK(accepted<subscribe>(good, v).subscriptions.front().max_qos == static_cast<qos>(q));
    }
    check_stream_rejects(hex("82 06 00 01 00 01 61 02"), second, v, errc::malformed_packet, 0x81, 11);
    subscription s = make_subscription("a", static_cast<qos>(3));
    check_refused(make_subscribe({&s, 1}), v);
    s = make_subscription("a", qos::at_least_once);
    s.no_local = true;  // bit 2 is reserved before 5.0
    check_refused(make_subscribe({&s, 1}), v);
    s = make_subscription("a", qos::at_least_once);
    s.retain_handling = 1;  // bits 4 and 5 are reserved before 5.0
    check_refused(make_subscribe({&s, 1}), v);
  }
}

TEST_CASE("rejects SUBACK return codes other than 0 1 2 and 0x80 [MQTT-3.9.3-2 v3.1.1]") {
  const auto several = hex("90 05"      // SUBACK, remaining length 5
                           "00 01"      // packet identifier 1
                           "00 01 03");  // return codes 0, 1 and 3 (bad)
  for (protocol_version v : levels) {
    for (int rc = 0; rc < 256; ++rc) {
      if (rc == 0x80 && v == protocol_version::v3_1) continue;  // 3.1 has no 0x80 [V31-D04]
      auto in = hex("90 03"  // SUBACK, remaining length 3
                    "00 01"  // packet identifier 1
                    "00");   // return code (patched below)
      in[4] = static_cast<std::uint8_t>(rc);
      if (rc <= 2 || rc == 0x80) {
        CHECK(accepted<suback>(in, v).reason_codes == make_suback(static_cast<std::uint8_t>(rc)).reason_codes);
      } else {
        check_rejected(in, v, errc::protocol_error, 0x82, 4);
      }
    }
    check_rejected(several, v, errc::protocol_error, 0x82, 6);
    check_stream_rejects(hex("90 03 00 01 02"), several, v, errc::protocol_error, 0x82, 6);
    check_refused(make_suback(3), v);
    check_refused(make_suback(0x81), v);
    const auto out = encode_bytes(make_suback(2), v);
    REQUIRE(out);
    CHECK(*out == hex("90 03 00 01 02"));
  }
  const auto failure = encode_bytes(make_suback(0x80), protocol_version::v3_1_1);
  REQUIRE(failure);
  CHECK(*failure == hex("90 03 00 01 80"));
}

TEST_CASE("rejects UNSUBSCRIBE fixed-header flags other than 0010 [MQTT-3.10.1-1 v3.1.1]") {
  const auto good = hex("a2 05"      // UNSUBSCRIBE, remaining length 5
                        "00 01"      // packet identifier 1
                        "00 01 61");  // topic filter "a"
  const std::string_view filters[] = {"a"};
  for (protocol_version v : levels) {
    check_only_0010(good, v);
    const unsubscribe u = accepted<unsubscribe>(good, v);
    CHECK(u.packet_id == 1);
    CHECK_FALSE(u.dup);
    const auto out = encode_bytes(make_unsubscribe(filters), v);
    REQUIRE(out);
    CHECK(*out == good);
    check_stream_rejects(good, hex("a0 05 00 01 00 01 61"), v, errc::malformed_packet, 0x81, 0);
  }
  check_malformed(hex("aa 05 00 01 00 01 61"), protocol_version::v3_1_1, 0);
  unsubscribe dup = make_unsubscribe(filters);
  dup.dup = true;
  check_refused(dup, protocol_version::v3_1_1);
}

TEST_CASE("reads UNSUBSCRIBE Topic Filters as UTF-8 strings back to back [MQTT-3.10.3-1 v3.1.1]") {
  const auto good = hex("a2 0a"            // UNSUBSCRIBE, remaining length 10
                        "00 01"            // packet identifier 1
                        "00 01 61"         // topic filter "a"
                        "00 03 62 2f 63");  // topic filter "b/c"
  const auto bad = hex("a2 0a"            // UNSUBSCRIBE, remaining length 10
                       "00 01"            // packet identifier 1
                       "00 01 61"         // topic filter "a"
                       "00 03 ed a0 80");  // topic filter U+D800 (bad)
  const auto cut = hex("a2 05"      // UNSUBSCRIBE, remaining length 5
                       "00 01"      // packet identifier 1
                       "00 05 61");  // topic filter of 5 bytes, only 1 left (bad)
  const std::string_view bad_filters[] = {"a", "\xED\xA0\x80"};
  for (protocol_version v : levels) {
    const unsubscribe u = accepted<unsubscribe>(good, v);
    const std::string_view expected[] = {"a", "b/c"};
    CHECK(u.topic_filters == wire_list<std::string_view>(expected));
    check_malformed(bad, v, 9);
    check_malformed(cut, v, 4);
    check_stream_rejects(good, bad, v, errc::malformed_packet, 0x81, 9);
    check_refused(make_unsubscribe(bad_filters), v);
  }
}

TEST_CASE("rejects an UNSUBSCRIBE without a Topic Filter [MQTT-3.10.3-2 v3.1.1]") {
  const auto empty = hex("a2 02"   // UNSUBSCRIBE, remaining length 2
                         "00 01");  // packet identifier 1, then no filter (bad)
  const auto good = hex("a2 05 00 01 00 01 61");  // UNSUBSCRIBE id 1 "a"
  for (protocol_version v : levels) {
    check_rejected(empty, v, errc::protocol_error, 0x82, 4);
    CHECK(accepted<unsubscribe>(good, v).topic_filters.size() == 1);
    check_stream_rejects(good, empty, v, errc::protocol_error, 0x82, 4);
    check_refused(make_unsubscribe({}), v);
  }
}

TEST_CASE("rejects DISCONNECT with reserved flag bits set [MQTT-3.14.1-1 v3.1.1]") {
  for (protocol_version v : levels) {
    for (std::uint8_t flags = 1; flags < 16; ++flags) {
      auto bad = hex("e0"   // DISCONNECT (flags patched below)
                     "00");  // remaining length 0
      bad[0] = static_cast<std::uint8_t>(0xE0 | flags);
      check_malformed(bad, v, 0);
    }
    CHECK(decode_one(hex("e0 00"), v).has_value());
    const auto out = encode_bytes(disconnect{}, v);
    REQUIRE(out);
    CHECK(*out == hex("e0 00"));
    check_stream_rejects(hex("c0 00"), hex("e2 00"), v, errc::malformed_packet, 0x81, 0);
  }
}

}  // TEST_SUITE
