// UTF-8 Encoded Strings (5.0 §1.5.4, 3.1.1 §1.5.3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace mqttconn::detail {

enum class utf8_fault : std::uint8_t { none, ill_formed, null_char, disallowed };

struct utf8_check {
  utf8_fault fault;
  std::size_t at;  // byte index of the first bad sequence
};

// Checks well-formedness per RFC 3629 (no overlongs, no surrogates [MQTT-1.5.4-1], nothing
// above U+10FFFF), no U+0000 [MQTT-1.5.4-2] unless `allow_nul`, and with `strict` none of the
// disallowed code points [V5-U02]. U+FEFF passes untouched [MQTT-1.5.4-3]. Payloads marked
// UTF-8 are checked with `allow_nul`: the U+0000 ban is a rule of UTF-8 Encoded Strings, and a
// payload is only required to be well-formed (5.0 §3.3.2.3.2).
utf8_check utf8_validate(const std::uint8_t* s, std::size_t n, bool strict,
                         bool allow_nul = false) noexcept;

// True if the bytes hold '+' or '#'.
bool has_wildcard(const std::uint8_t* s, std::size_t n) noexcept;

const char* utf8_fault_text(utf8_fault f) noexcept;

// The inlined fast path taken by nearly every string on the wire: true when every byte is
// 0x01..0x7F (ASCII without NUL) and, with `no_wildcards`, none is '+' or '#'. False means
// "take the slow path", which finds out exactly what is wrong, if anything. Long strings go
// 16 bytes at a time with portable vector extensions (SSE2 on x86-64, NEON on ARM); the tail
// is one more overlapping load, so there is no byte loop except for strings under 4 bytes.
template <bool no_wildcards>
inline bool plain_ascii(const std::uint8_t* s, std::size_t n) noexcept {
  // '#' (0x23) and '+' (0x2B) differ only in bit 3: x | 8 == 0x2B finds both at once.
  if (n >= 16) {
    typedef signed char v16 __attribute__((vector_size(16)));
    auto bad = [](const std::uint8_t* p) {
      v16 v;
      std::memcpy(&v, p, 16);
      v16 b = (v <= 0);  // NUL, or bit 7 set (negative as signed)
      if constexpr (no_wildcards) b |= ((v | 8) == 0x2B);
      return b;
    };
    v16 acc = bad(s + n - 16);
    for (std::size_t i = 0; i + 16 < n; i += 16) acc |= bad(s + i);
    std::uint64_t half[2];
    std::memcpy(half, &acc, 16);
    return (half[0] | half[1]) == 0;
  }
  auto bad_word = [](auto w, auto ones) {
    using W = decltype(w);
    const W highs = static_cast<W>(ones * 0x80);
    auto zero = [&](W x) { return static_cast<W>((x - ones) & ~x & highs); };
    W b = static_cast<W>((w & highs) | zero(w));
    if constexpr (no_wildcards) b |= zero(static_cast<W>((w | static_cast<W>(ones * 8)) ^ static_cast<W>(ones * 0x2B)));
    return b;
  };
  if (n >= 8) {
    std::uint64_t a, b;
    std::memcpy(&a, s, 8);
    std::memcpy(&b, s + n - 8, 8);
    constexpr std::uint64_t ones = 0x0101010101010101ull;
    return (bad_word(a, ones) | bad_word(b, ones)) == 0;
  }
  if (n >= 4) {
    std::uint32_t a, b;
    std::memcpy(&a, s, 4);
    std::memcpy(&b, s + n - 4, 4);
    constexpr std::uint32_t ones = 0x01010101u;
    return (bad_word(a, ones) | bad_word(b, ones)) == 0;
  }
  unsigned acc = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t c = s[i];
    acc |= static_cast<std::uint8_t>(c - 1) >= 0x7F;  // c == 0 or c >= 0x80
    if constexpr (no_wildcards) acc |= (c | 8) == 0x2B;
  }
  return acc == 0;
}

}  // namespace mqttconn::detail
