// What every fuzz target shares: hard invariant checks, a reader of fuzzer bytes, the leading
// bytes that choose level and limits, and the documented sets of error codes.
//
// Targets are deterministic by construction (STYLE §6): no clock, no RNG, no globals. A failed
// invariant prints what failed and aborts, which libFuzzer reports as a crash and the replay
// main as a failed test.
#pragma once

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "mqttconn/codec.hpp"

namespace mqttconn::fuzz {

[[noreturn]] inline void fail(const char* file, int line, const char* cond, const char* fmt, ...) {
  std::fprintf(stderr, "\n==== fuzz invariant failed at %s:%d: %s\n     ", file, line, cond);
  va_list ap;
  va_start(ap, fmt);
  std::vfprintf(stderr, fmt, ap);
  va_end(ap);
  std::fprintf(stderr, "\n");
  std::fflush(stderr);
  std::abort();
}

// FUZZ_CHECK(cond, "printf format", args...): abort with the message when cond is false.
#define FUZZ_CHECK(cond, ...)                                                  \
  do {                                                                         \
    if (!(cond)) ::mqttconn::fuzz::fail(__FILE__, __LINE__, #cond, __VA_ARGS__); \
  } while (0)

inline std::string hex(bytes b, std::size_t max = 512) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < b.size() && i < max; ++i) {
    s += digits[b[i] >> 4];
    s += digits[b[i] & 15];
  }
  if (b.size() > max) s += "...";
  return s;
}

inline std::string describe(const error& e) {
  return e.message() + " [code " + std::to_string(static_cast<int>(e.code)) + ", reason 0x" +
         hex(bytes(&e.reason_code, 1)) + ", packet " + std::to_string(e.packet) + ", offset " +
         std::to_string(e.offset) + "]";
}

// Reads fuzzer bytes front to back. Once they run out every read gives 0, so the shortest
// input makes the plainest choice (the builders arrange that 0 means "a valid default").
class byte_source {
 public:
  byte_source() = default;
  byte_source(const std::uint8_t* p, std::size_t n) : p_(p), end_(p + n) {}
  explicit byte_source(bytes b) : p_(b.data()), end_(b.data() + b.size()) {}

  bool empty() const noexcept { return p_ == end_; }
  std::size_t left() const noexcept { return static_cast<std::size_t>(end_ - p_); }
  std::uint8_t u8() noexcept { return p_ == end_ ? 0 : *p_++; }
  std::uint16_t u16() noexcept { return static_cast<std::uint16_t>(u8() << 8 | u8()); }
  std::uint32_t u32() noexcept {
    const std::uint32_t hi = u16();
    return hi << 16 | u16();
  }
  // Up to n bytes (fewer when the input runs out).
  bytes take(std::size_t n) noexcept {
    if (n > left()) n = left();
    bytes b(p_, n);
    p_ += n;
    return b;
  }
  bytes rest() noexcept { return take(left()); }

 private:
  const std::uint8_t* p_ = nullptr;
  const std::uint8_t* end_ = nullptr;
};

// Two bits of a leading byte choose the level: 0 -> 3.1, 1 -> 3.1.1, 2 and 3 -> 5.0.
inline protocol_version level_of(std::uint8_t bits) noexcept {
  switch (bits & 3) {
    case 0: return protocol_version::v3_1;
    case 1: return protocol_version::v3_1_1;
    default: return protocol_version::v5;
  }
}

// A packet size limit from a 2-bit mode and a byte: the protocol's own, or tiny, small, large.
inline std::uint32_t size_limit(std::uint8_t mode, std::uint8_t value) noexcept {
  switch (mode & 3) {
    case 0: return protocol_max_packet_size;
    case 1: return 2u + value;
    case 2: return 64u + 16u * value;
    default: return 2u + 1024u * value;
  }
}

// The codec targets' leading bytes (fuzz_decode, fuzz_roundtrip):
//   [0] bits 0-1 level, 2 follow the level of a decoded CONNECT (a server's decoder),
//       3 reject_disallowed_code_points, 4 check_payload_format, 5-6 max packet size mode,
//       7 target-specific mode
//   [1] max packet size value
//   [2] [3] chunk sizes: 1 + low nibble, 1 + high nibble of [2], then 1 + [3], repeated
struct codec_header {
  static constexpr std::size_t size = 4;
  protocol_version level = protocol_version::v5;
  bool follow_connect = false;
  bool mode = false;
  decode_options opts;
  std::size_t chunks[3] = {1, 1, 1};

  explicit codec_header(const std::uint8_t* d) {
    level = level_of(d[0]);
    follow_connect = (d[0] & 0x04) != 0;
    opts.reject_disallowed_code_points = (d[0] & 0x08) != 0;
    opts.check_payload_format = (d[0] & 0x10) != 0;
    opts.max_packet_size = size_limit(static_cast<std::uint8_t>(d[0] >> 5), d[1]);
    mode = (d[0] & 0x80) != 0;
    chunks[0] = 1u + (d[2] & 15);
    chunks[1] = 1u + (d[2] >> 4);
    chunks[2] = 1u + d[3];
  }
};

// Documented decode failures (mqttconn/result.hpp): the code and the reason code that goes
// with it. need_more is not a failure and never ends a stream.
inline bool decode_failure_documented(const error& e) noexcept {
  switch (e.code) {
    case errc::malformed_packet: return e.reason_code == 0x81;
    case errc::protocol_error: return e.reason_code >= 0x80;
    case errc::unsupported_protocol_version: return e.reason_code == 0x84;
    case errc::packet_too_large: return e.reason_code == 0x95;
    case errc::topic_name_invalid: return e.reason_code == 0x90;
    case errc::topic_filter_invalid: return e.reason_code == 0x8F;
    case errc::topic_alias_invalid: return e.reason_code == 0x94;
    case errc::payload_format_invalid: return e.reason_code == 0x99;
    default: return false;
  }
}

// Every error: static strings, a packet type that fits in a nibble.
inline void check_error_shape(const error& e) {
  FUZZ_CHECK(e.field != nullptr && e.what != nullptr, "error with a null string: code %d", static_cast<int>(e.code));
  FUZZ_CHECK(e.packet <= 15, "error names packet type %d: %s", e.packet, describe(e).c_str());
}

inline void check_decode_failure(const error& e, std::uint64_t stream_size) {
  check_error_shape(e);
  FUZZ_CHECK(decode_failure_documented(e), "decode failed with an undocumented code or reason: %s",
             describe(e).c_str());
  FUZZ_CHECK(e.offset <= stream_size, "error offset %llu past the %llu bytes fed: %s",
             static_cast<unsigned long long>(e.offset), static_cast<unsigned long long>(stream_size),
             describe(e).c_str());
}

// The level a packet is encoded and decoded at: a CONNECT names its own.
inline protocol_version level_for(const packet& p, protocol_version v) noexcept {
  if (const auto* c = std::get_if<connect>(&p)) return c->version;
  return v;
}

// Encodes p (at the level level_for() gives), for keeping a copy or comparing.
inline std::vector<std::uint8_t> encode_or_die(const packet& p, protocol_version v, const char* why) {
  std::vector<std::uint8_t> out;
  const result<std::size_t> n = encode(p, level_for(p, v), out);
  FUZZ_CHECK(n, "%s: the encoder refuses a %s: %s", why, to_string(type_of(p)), describe(n.error()).c_str());
  return out;
}

}  // namespace mqttconn::fuzz
