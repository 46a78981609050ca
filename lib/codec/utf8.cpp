#include "utf8.hpp"

#include <cstring>

namespace mqttconn::detail {
namespace {

constexpr std::uint64_t ones = 0x0101010101010101ull;
constexpr std::uint64_t highs = 0x8080808080808080ull;

std::uint64_t load8(const std::uint8_t* p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

// Non-zero if some byte of w is 0 (the classic SWAR test; exact when no byte has bit 7 set).
constexpr std::uint64_t zero_byte(std::uint64_t w) noexcept { return (w - ones) & ~w & highs; }

// Non-zero if some byte of w is below 0x20 or is 0x7F (valid only for ASCII words).
constexpr std::uint64_t control_byte(std::uint64_t w) noexcept {
  return ((w - 0x2020202020202020ull) | zero_byte(w ^ (0x7Full * ones))) & highs;
}

bool noncharacter(std::uint32_t cp) noexcept {
  return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

}  // namespace

utf8_check utf8_validate(const std::uint8_t* s, std::size_t n, bool strict, bool allow_nul) noexcept {
  std::size_t i = 0;
  while (i < n) {
    // Fast path: eight ASCII bytes, none of them NUL (nor, when strict, a control).
    if (n - i >= 8) {
      const std::uint64_t w = load8(s + i);
      if (((w & highs) | (allow_nul ? 0 : zero_byte(w)) | (strict ? control_byte(w) : 0)) == 0) {
        i += 8;
        continue;
      }
    }
    const std::uint8_t c = s[i];
    if (c < 0x80) {
      if (c == 0 && !allow_nul) return {utf8_fault::null_char, i};
      if (strict && (c < 0x20 || c == 0x7F)) return {utf8_fault::disallowed, i};
      ++i;
      continue;
    }
    // Lead byte: number of continuation bytes and the allowed range of the first one, which
    // excludes overlongs (E0, F0), surrogates (ED) and code points above U+10FFFF (F4).
    std::size_t len;
    std::uint8_t lo = 0x80, hi = 0xBF;
    std::uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 1, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 2, cp = c & 0x0F;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 3, cp = c & 0x07;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return {utf8_fault::ill_formed, i};
    }
    if (n - i <= len) return {utf8_fault::ill_formed, i};
    for (std::size_t k = 1; k <= len; ++k) {
      const std::uint8_t b = s[i + k];
      if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return {utf8_fault::ill_formed, i};
      cp = (cp << 6) | (b & 0x3F);
    }
    if (strict && ((cp >= 0x80 && cp <= 0x9F) || noncharacter(cp))) {
      return {utf8_fault::disallowed, i};
    }
    i += len + 1;
  }
  return {utf8_fault::none, n};
}

bool has_wildcard(const std::uint8_t* s, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const std::uint64_t w = load8(s + i);
    // Bytes >= 0x80 can raise false alarms in zero_byte(); fall back to bytes then.
    if ((zero_byte(w ^ (0x2Bull * ones)) | zero_byte(w ^ (0x23ull * ones))) != 0) break;
  }
  for (; i < n; ++i) {
    if (s[i] == '+' || s[i] == '#') return true;
  }
  return false;
}

const char* utf8_fault_text(utf8_fault f) noexcept {
  switch (f) {
    case utf8_fault::ill_formed: return "is not well-formed UTF-8";
    case utf8_fault::null_char: return "contains U+0000";
    case utf8_fault::disallowed: return "contains a disallowed code point";
    case utf8_fault::none: break;
  }
  return "is valid UTF-8";
}

}  // namespace mqttconn::detail
