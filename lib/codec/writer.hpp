// Sinks for the encoders. Each packet's body is written once, as a template over the sink:
// size_counter measures it, byte_writer writes it, so the two can never disagree.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "mqttconn/result.hpp"
#include "mqttconn/types.hpp"
#include "utf8.hpp"
#include "varint.hpp"

namespace mqttconn::detail {

struct size_counter {
  static constexpr bool writes = false;
  std::size_t n = 0;
  void u8(std::uint8_t) noexcept { n += 1; }
  void u16(std::uint16_t) noexcept { n += 2; }
  void u32(std::uint32_t) noexcept { n += 4; }
  void vbi(std::uint32_t v) noexcept { n += vbi_size(v); }
  void raw(const std::uint8_t*, std::size_t k) noexcept { n += k; }
  void str(std::string_view s) noexcept { n += 2 + s.size(); }
  void bin(binary b) noexcept { n += 2 + b.size(); }
  void skip(std::size_t k) noexcept { n += k; }
};

struct byte_writer {
  static constexpr bool writes = true;
  std::uint8_t* p;
  void u8(std::uint8_t v) noexcept { *p++ = v; }
  void u16(std::uint16_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
    p += 2;
  }
  void u32(std::uint32_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
    p += 4;
  }
  void vbi(std::uint32_t v) noexcept { p = vbi_write(p, v); }
  void raw(const std::uint8_t* s, std::size_t k) noexcept {
    copy(p, s, k);
    p += k;
  }
  // Most fields are short: copy them inline with two overlapping words instead of calling
  // memcpy. Every load and store stays inside [0, k).
  static void copy(std::uint8_t* d, const std::uint8_t* s, std::size_t k) noexcept {
    if (k >= 8 && k <= 16) {
      std::uint64_t a, b;
      std::memcpy(&a, s, 8);
      std::memcpy(&b, s + k - 8, 8);
      std::memcpy(d, &a, 8);
      std::memcpy(d + k - 8, &b, 8);
    } else if (k >= 4 && k < 8) {
      std::uint32_t a, b;
      std::memcpy(&a, s, 4);
      std::memcpy(&b, s + k - 4, 4);
      std::memcpy(d, &a, 4);
      std::memcpy(d + k - 4, &b, 4);
    } else if (k < 4) {
      for (std::size_t i = 0; i < k; ++i) d[i] = s[i];
    } else {
      std::memcpy(d, s, k);
    }
  }
  void str(std::string_view s) noexcept {
    u16(static_cast<std::uint16_t>(s.size()));
    raw(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  }
  void bin(binary b) noexcept {
    u16(static_cast<std::uint16_t>(b.size()));
    raw(b.data(), b.size());
  }
};

// Validation of a packet about to be encoded: the first refusal wins and is written to the
// caller's error slot, which is left alone while the packet is fine.
class tx_check {
 public:
  explicit tx_check(error& e) noexcept : err_(e) {}
  bool ok() const noexcept { return ok_; }
  // Refuses the packet. `rc` is the reason code a peer receiving it would answer with.
  bool refuse(const char* field, const char* what, std::uint8_t rc = 0x81) noexcept {
    if (ok_) {
      ok_ = false;
      err_ = {errc::invalid_packet, rc, 0, 0, field, what};
    }
    return false;
  }
  // UTF-8 Encoded String rules [MQTT-1.5.4-1] [MQTT-1.5.4-2] and the 65,535-byte limit.
  bool str(std::string_view s, const char* field) noexcept {
    return (s.size() <= 65535 && plain_ascii<false>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size())) ||
           str_slow(s, field);
  }
  bool bin(binary b, const char* field) noexcept {
    return b.size() <= 65535 || refuse(field, "is longer than 65,535 bytes");
  }
  // A Topic Filter: a string, and valid filter syntax (5.0 shared-subscription syntax if v5).
  bool filter(std::string_view f, bool v5) noexcept;

 private:
  bool str_slow(std::string_view s, const char* field) noexcept;

  error& err_;
  bool ok_ = true;
};

}  // namespace mqttconn::detail
