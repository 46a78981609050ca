// MQTT 5.0 checklist, codec layer: the reason codes of every packet that carries one (Tables
// 3-1 and 3-4 to 3-11), CONNACK flags (3.2), the fixed-header flags of PUBREL, DISCONNECT and
// AUTH, the short forms, and the Authentication Method that AUTH must carry. Which role may
// send which DISCONNECT or AUTH code is known only to the connection layer.
#include <algorithm>
#include <array>
#include <string>

#include "rules_v5.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

// Every value of a reason code: decode() accepts exactly the codes in `allowed_hex` and
// rejects the others with 0x82 at byte `at`; the encoder accepts and refuses the same ones.
// `wire(rc)` is the packet carrying rc, `make(rc)` the packet to encode, `code(p)` reads it back.
template <class P, class Wire, class Make, class Code>
void check_reason_codes(const char* allowed_hex, std::uint64_t at, Wire wire, Make make, Code code) {
  const byte_vec allowed = hex(allowed_hex);
  for (int i = 0; i < 256; ++i) {
    const auto rc = static_cast<std::uint8_t>(i);
    CAPTURE(i);
    const byte_vec in = wire(rc);
    const P p = make(rc);
    if (std::find(allowed.begin(), allowed.end(), rc) != allowed.end()) {
      CHECK(code(check_accepts<P>(in)) == rc);
      CHECK(check_encodes(p) == in);
    } else {
      check_rejects(in, errc::protocol_error, 0x82, at);
      check_refused(p);
    }
  }
}


// Every byte value, so a reason code list can view one of them.
const std::array<std::uint8_t, 256> every_byte = [] {
  std::array<std::uint8_t, 256> a{};
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::uint8_t>(i);
  return a;
}();

// PUBACK, PUBREC, PUBREL and PUBCOMP with packet id 1, this reason code and no properties;
// the reason code is byte 4.
template <class P>
void check_ack_codes(std::uint8_t first, const char* allowed_hex) {
  check_reason_codes<P>(
      allowed_hex, 4,
      [first](std::uint8_t rc) {
        return rc == 0 ? byte_vec{first, 0x02, 0x00, 0x01} : byte_vec{first, 0x03, 0x00, 0x01, rc};
      },
      [](std::uint8_t rc) {
        P p = with_id<P>();
        p.reason_code = rc;
        return p;
      },
      [](const P& p) { return p.reason_code; });
  // The long form, with a Property Length, is read the same way.
  const byte_vec in{first, 0x04, 0x00, 0x01, 0x00, 0x00};
  CHECK(check_accepts<P>(in).reason_code == 0);
  check_rejects(byte_vec{first, 0x04, 0x00, 0x01, 0x01, 0x00}, errc::protocol_error, 0x82, 4);
}
}  // namespace

TEST_SUITE("codec v5") {

TEST_CASE("rejects a CONNACK with reserved Connect Acknowledge Flags set [MQTT-3.2.2-1]") {
  check_rejects(hex("20 03"   // CONNACK, remaining length 3
                    "02"      // acknowledge flags: bit 1 set (bad)
                    "00"      // reason code 0x00
                    "00"),    // property length 0
                errc::malformed_packet, 0x81, 2);
  for (int bit = 1; bit < 8; ++bit) {
    CAPTURE(bit);
    check_rejects(byte_vec{0x20, 0x03, static_cast<std::uint8_t>(1 << bit | 1), 0x00, 0x00},
                  errc::malformed_packet, 0x81, 2);
  }
  const byte_vec in = hex("20 03 01 00 00");
  CHECK(check_accepts<connack>(in).session_present);
}

TEST_CASE("rejects a CONNACK with Session Present and a failure code [MQTT-3.2.2-6]") {
  check_rejects(hex("20 03"   // CONNACK, remaining length 3
                    "01"      // acknowledge flags: session present (bad with a failure)
                    "80"      // reason code 0x80
                    "00"),    // property length 0
                errc::protocol_error, 0x82, 2);
  for (std::uint8_t rc : hex("80 81 82 83 84 85 86 87 88 89 8a 8c 90 95 97 99 9a 9b 9c 9d 9f")) {
    CAPTURE(int{rc});
    check_rejects(byte_vec{0x20, 0x03, 0x01, rc, 0x00}, errc::protocol_error, 0x82, 2);
    const byte_vec in{0x20, 0x03, 0x00, rc, 0x00};
    CHECK(check_accepts<connack>(in).reason_code == rc);
    connack c;
    c.session_present = true;
    c.reason_code = rc;
    check_refused(c);
  }
}

TEST_CASE("accepts only the Connect Reason Codes in CONNACK [MQTT-3.2.2-8]") {
  check_rejects(hex("20 03"   // CONNACK, remaining length 3
                    "00"      // acknowledge flags
                    "01"      // reason code 0x01: not a CONNACK code (bad)
                    "00"),    // property length 0
                errc::protocol_error, 0x82, 3);
  check_reason_codes<connack>(
      "00 80 81 82 83 84 85 86 87 88 89 8a 8c 90 95 97 99 9a 9b 9c 9d 9f", 3,
      [](std::uint8_t rc) { return byte_vec{0x20, 0x03, 0x00, rc, 0x00}; },
      [](std::uint8_t rc) {
        connack c;
        c.reason_code = rc;
        return c;
      },
      [](const connack& c) { return c.reason_code; });
}

TEST_CASE("accepts only the PUBACK Reason Codes in PUBACK [MQTT-3.4.2-1]") {
  check_rejects(hex("40 04"   // PUBACK, remaining length 4
                    "00 01"   // packet id 1
                    "92"      // reason code 0x92: a PUBREL/PUBCOMP code (bad)
                    "00"),    // property length 0
                errc::protocol_error, 0x82, 4);
  check_ack_codes<puback>(0x40, "00 10 80 83 87 90 91 97 99");
}

TEST_CASE("accepts only the PUBREC Reason Codes in PUBREC [MQTT-3.5.2-1]") {
  check_ack_codes<pubrec>(0x50, "00 10 80 83 87 90 91 97 99");
}

TEST_CASE("accepts only the PUBREL Reason Codes in PUBREL [MQTT-3.6.2-1]") {
  check_ack_codes<pubrel>(0x62, "00 92");
}

TEST_CASE("accepts only the PUBCOMP Reason Codes in PUBCOMP [MQTT-3.7.2-1]") {
  check_ack_codes<pubcomp>(0x70, "00 92");
}

TEST_CASE("rejects PUBREL with fixed-header flags other than 0010 [MQTT-3.6.1-1]") {
  check_rejects(hex("60 02"   // PUBREL, flags 0000 (bad)
                    "00 01"), // packet id 1
                errc::malformed_packet, 0x81, 0);
  for (int flags = 0; flags < 16; ++flags) {
    if (flags == 2) continue;
    CAPTURE(flags);
    check_rejects(byte_vec{static_cast<std::uint8_t>(0x60 | flags), 0x02, 0x00, 0x01}, errc::malformed_packet,
                  0x81, 0);
  }
  CHECK(check_encodes(with_id<pubrel>())[0] == 0x62);
}

TEST_CASE("accepts only the Subscribe Reason Codes in SUBACK [MQTT-3.9.3-2]") {
  check_rejects(hex("90 06"      // SUBACK, remaining length 6
                    "00 01"      // packet id 1
                    "00"         // property length 0
                    "01 03 02"), // reason codes: 0x01, 0x03 (bad), 0x02
                errc::protocol_error, 0x82, 6);
  check_reason_codes<suback>(
      "00 01 02 80 83 87 8f 91 97 9e a1 a2", 5,
      [](std::uint8_t rc) { return byte_vec{0x90, 0x04, 0x00, 0x01, 0x00, rc}; },
      [](std::uint8_t rc) {
        suback s = with_id<suback>();
        s.reason_codes = binary(&every_byte[rc], 1);
        return s;
      },
      [](const suback& s) { return s.reason_codes.data()[0]; });
}

TEST_CASE("accepts only the Unsubscribe Reason Codes in UNSUBACK [MQTT-3.11.3-2]") {
  check_rejects(hex("b0 05"    // UNSUBACK, remaining length 5
                    "00 01"    // packet id 1
                    "00"       // property length 0
                    "00 01"),  // reason codes: 0x00, 0x01 (bad)
                errc::protocol_error, 0x82, 6);
  check_reason_codes<unsuback>(
      "00 11 80 83 87 8f 91", 5,
      [](std::uint8_t rc) { return byte_vec{0xb0, 0x04, 0x00, 0x01, 0x00, rc}; },
      [](std::uint8_t rc) {
        unsuback u = with_id<unsuback>();
        u.reason_codes = binary(&every_byte[rc], 1);
        return u;
      },
      [](const unsuback& u) { return u.reason_codes.data()[0]; });
}

TEST_CASE("rejects DISCONNECT with fixed-header flags other than 0000 [MQTT-3.14.1-1]") {
  check_rejects(hex("e2 00"), errc::malformed_packet, 0x81, 0);  // DISCONNECT, flags 0010 (bad)
  for (int flags = 1; flags < 16; ++flags) {
    CAPTURE(flags);
    check_rejects(byte_vec{static_cast<std::uint8_t>(0xe0 | flags), 0x02, 0x00, 0x00}, errc::malformed_packet,
                  0x81, 0);
  }
}

TEST_CASE("accepts only the Disconnect Reason Codes in DISCONNECT [MQTT-3.14.2-1]") {
  // A code reserved to the other role (0x04 from a server, 0x8B from a client) is a matter for
  // the connection layer, which knows the role; the codec accepts every code of Table 3-10.
  check_rejects(hex("e0 02"   // DISCONNECT, remaining length 2
                    "01"      // reason code 0x01 (bad)
                    "00"),    // property length 0
                errc::protocol_error, 0x82, 2);
  check_reason_codes<disconnect>(
      "00 04 80 81 82 83 87 89 8b 8c 8d 8e 8f 90 93 94 95 96 97 98 99 9a 9b 9c 9d 9e 9f a0 a1 a2", 2,
      [](std::uint8_t rc) { return rc == 0 ? byte_vec{0xe0, 0x00} : byte_vec{0xe0, 0x01, rc}; },
      [](std::uint8_t rc) {
        disconnect d;
        d.reason_code = rc;
        return d;
      },
      [](const disconnect& d) { return d.reason_code; });
}

TEST_CASE("accepts the DISCONNECT short forms without a Property Length [MQTT-2.2.2-1]") {
  const byte_vec zero = hex("e0 00");
  CHECK(check_accepts<disconnect>(zero).reason_code == 0x00);
  const byte_vec one = hex("e0 01 04");
  CHECK(check_accepts<disconnect>(one).reason_code == 0x04);
  const byte_vec two = hex("e0 02 8b 00");
  CHECK(check_accepts<disconnect>(two).reason_code == 0x8b);
}

TEST_CASE("rejects AUTH with fixed-header flags other than 0000 [MQTT-3.15.1-1]") {
  check_rejects(hex("f1 06"            // AUTH, flags 0001 (bad)
                    "18"               // reason code 0x18
                    "04 15 00 01 6d"), // Authentication Method "m"
                errc::malformed_packet, 0x81, 0);
  for (int flags = 1; flags < 16; ++flags) {
    CAPTURE(flags);
    check_rejects(byte_vec{static_cast<std::uint8_t>(0xf0 | flags), 0x06, 0x18, 0x04, 0x15, 0x00, 0x01, 0x6d},
                  errc::malformed_packet, 0x81, 0);
  }
}

TEST_CASE("accepts only the Authenticate Reason Codes in AUTH [MQTT-3.15.2-1]") {
  // 0x00 is for the server and 0x19 for the client to send: the connection layer checks that.
  check_rejects(hex("f0 06"            // AUTH, remaining length 6
                    "10"               // reason code 0x10 (bad)
                    "04 15 00 01 6d"), // Authentication Method "m"
                errc::protocol_error, 0x82, 2);
  check_reason_codes<auth>(
      "00 18 19", 2,
      [](std::uint8_t rc) { return byte_vec{0xf0, 0x06, rc, 0x04, 0x15, 0x00, 0x01, 0x6d}; },
      [](std::uint8_t rc) {
        auth a;
        a.reason_code = rc;
        a.props.set_authentication_method("m");
        return a;
      },
      [](const auth& a) { return a.reason_code; });
}

TEST_CASE("rejects AUTH without an Authentication Method [V5-U14]") {
  check_rejects(hex("f0 00"), errc::protocol_error, 0x82, 2);  // AUTH, remaining length 0
  check_rejects(hex("f0 02"   // AUTH, remaining length 2
                    "18"      // reason code 0x18
                    "00"),    // property length 0: no Authentication Method (bad)
                errc::protocol_error, 0x82, 2);
  check_rejects(hex("f0 06"            // AUTH, remaining length 6
                    "18"               // reason code 0x18
                    "04 1f 00 01 72"), // Reason String "r" only (bad)
                errc::protocol_error, 0x82, 2);
  auth a;
  a.reason_code = 0x18;
  check_refused(a);
  a.props.set_authentication_data(bin("d"));
  check_refused(a);
}

}  // TEST_SUITE
