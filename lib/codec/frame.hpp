// The fixed header, and the decoding of one whole packet ("frame") once all of it is at hand.
// Shared by decode() and stream_decoder so that both find the same faults at the same offsets.
#pragma once

#include <cstdint>

#include "mqttconn/codec.hpp"
#include "varint.hpp"

namespace mqttconn::detail {

struct fixed_header {
  std::uint8_t first = 0;       // type and flags
  std::uint8_t size = 0;        // 1 + bytes of the Remaining Length
  std::uint32_t remaining = 0;  // Remaining Length
  std::size_t total() const noexcept { return size + std::size_t{remaining}; }
};

// Bit f of legal_flags(v)[type] is set when flags nibble f is legal for that packet type
// (Table 2-2 [MQTT-2.1.3-1] [MQTT-2.2.2-1 v3.1.1]). Type 0 never is, nor type 15 before 5.0.
// Inline: every decoder path tests the first byte of every packet.
struct flag_table {
  std::uint16_t bits[16];
};

namespace flag_tables {
// PUBLISH: any flags but QoS 3 (nibbles 6, 7, 14, 15) and DUP on QoS 0 (8, 9).
inline constexpr std::uint16_t publish = 0x3C3F;
inline constexpr std::uint16_t zero = 1u << 0, two = 1u << 2, two_or_dup = two | 1u << 0xA;

constexpr flag_table make(bool level3, bool auth) {
  flag_table t{};
  for (int type = 1; type < 15; ++type) t.bits[type] = zero;
  t.bits[3] = publish;
  // 3.1 allowed DUP on resent PUBREL, SUBSCRIBE and UNSUBSCRIBE [V31-D06].
  t.bits[6] = t.bits[8] = t.bits[10] = level3 ? two_or_dup : two;
  t.bits[15] = auth ? zero : 0;
  return t;
}
inline constexpr flag_table v31 = make(true, false), v311 = make(false, false), v5 = make(false, true);
}  // namespace flag_tables

inline const flag_table& legal_flags(protocol_version v) noexcept {
  return v == protocol_version::v5 ? flag_tables::v5 : v == protocol_version::v3_1 ? flag_tables::v31 : flag_tables::v311;
}

enum class header_status : std::uint8_t { ok, need_more, failed };

// Why the first byte is illegal (for the error message); only called once it is.
const char* first_byte_fault(std::uint8_t first, protocol_version v) noexcept;
header_status header_failure(std::uint8_t first, std::uint64_t at, errc code, const char* field,
                             const char* what, error& e) noexcept;

// Parses the fixed header from the `avail` bytes at p. Each check runs as soon as its bytes
// are there, so a bad first byte or an oversized length is reported without waiting for (or
// buffering) the body. Inline: a one-byte Remaining Length is the common case.
inline header_status parse_fixed_header(const std::uint8_t* p, std::size_t avail, protocol_version v,
                                        const decode_options& o, fixed_header& h, error& e) noexcept {
  if (avail == 0) return header_status::need_more;
  const std::uint8_t first = p[0];
  if (((legal_flags(v).bits[first >> 4] >> (first & 0x0F)) & 1) == 0) {
    return header_failure(first, 0, errc::malformed_packet, "fixed header", first_byte_fault(first, v), e);
  }
  if (avail >= 2 && p[1] < 0x80) {
    h = {first, 2, p[1]};
  } else {
    const vbi_parse len = vbi_read(p + 1, avail - 1);
    switch (len.status) {
      case vbi_status::ok: break;
      case vbi_status::need_more: return header_status::need_more;
      case vbi_status::too_long:
        return header_failure(first, 1u + len.len, errc::malformed_packet, "Remaining Length",
                              "is longer than 4 bytes [V5-U03]", e);
      case vbi_status::not_minimal:
        return header_failure(first, 1u + len.len, errc::malformed_packet, "Remaining Length",
                              "is not in its shortest form [MQTT-1.5.5-1]", e);
    }
    h = {first, static_cast<std::uint8_t>(1 + len.len), len.value};
  }
  if (h.total() > o.max_packet_size) {
    return header_failure(first, 0, errc::packet_too_large, "packet",
                          "is larger than the maximum packet size", e);
  }
  return header_status::ok;
}

// Decodes a whole packet whose fixed header is h; on failure fills `e`, offsets counting
// from `frame`.
bool decode_frame(const std::uint8_t* frame, const fixed_header& h, protocol_version v,
                  const decode_options& o, packet& out, error& e) noexcept;

}  // namespace mqttconn::detail
