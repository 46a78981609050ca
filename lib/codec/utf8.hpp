// UTF-8 Encoded Strings (5.0 §1.5.4, 3.1.1 §1.5.3).
#pragma once

#include <cstddef>
#include <cstdint>

namespace mqttconn::detail {

enum class utf8_fault : std::uint8_t { none, ill_formed, null_char, disallowed };

struct utf8_check {
  utf8_fault fault;
  std::size_t at;  // byte index of the first bad sequence
};

// Checks well-formedness per RFC 3629 (no overlongs, no surrogates [MQTT-1.5.4-1], nothing
// above U+10FFFF), no U+0000 [MQTT-1.5.4-2], and with `strict` none of the disallowed code
// points [V5-U02]. U+FEFF passes untouched [MQTT-1.5.4-3].
utf8_check utf8_validate(const std::uint8_t* s, std::size_t n, bool strict) noexcept;

// True if the bytes hold '+' or '#'.
bool has_wildcard(const std::uint8_t* s, std::size_t n) noexcept;

const char* utf8_fault_text(utf8_fault f) noexcept;

}  // namespace mqttconn::detail
