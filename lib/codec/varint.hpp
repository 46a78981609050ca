// Variable Byte Integers (5.0 §1.5.5, 3.1.1 §2.2.3 Remaining Length).
#pragma once

#include <cstddef>
#include <cstdint>

namespace mqttconn::detail {

inline constexpr std::uint32_t vbi_max = 268'435'455;

constexpr std::size_t vbi_size(std::uint32_t v) noexcept {
  return v < 128u ? 1 : v < 16'384u ? 2 : v < 2'097'152u ? 3 : 4;
}

// Writes the minimal encoding of v (<= vbi_max) and returns the byte after it.
inline std::uint8_t* vbi_write(std::uint8_t* p, std::uint32_t v) noexcept {
  do {
    std::uint8_t b = v & 0x7F;
    v >>= 7;
    *p++ = static_cast<std::uint8_t>(v != 0 ? (b | 0x80) : b);
  } while (v != 0);
  return p;
}

enum class vbi_status : std::uint8_t { ok, need_more, too_long, not_minimal };

struct vbi_parse {
  vbi_status status;
  std::uint8_t len;    // bytes used when ok; index of the offending byte otherwise
  std::uint32_t value;
};

// Parses a Variable Byte Integer from the `avail` bytes at p. At most four bytes, and
// [MQTT-1.5.5-1] the fewest possible: a fourth byte with bit 7 set is malformed rather than
// "need more", or a peer could stall us forever; a last byte of 0 after others is non-minimal.
inline vbi_parse vbi_read(const std::uint8_t* p, std::size_t avail) noexcept {
  std::uint32_t v = 0;
  for (std::uint8_t i = 0; i < 4; ++i) {
    if (i == avail) return {vbi_status::need_more, i, 0};
    const std::uint8_t b = p[i];
    v |= static_cast<std::uint32_t>(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0) {
      if (i > 0 && b == 0) return {vbi_status::not_minimal, i, 0};
      return {vbi_status::ok, static_cast<std::uint8_t>(i + 1), v};
    }
  }
  return {vbi_status::too_long, 3, 0};
}

}  // namespace mqttconn::detail
