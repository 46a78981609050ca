// Helpers for codec tests: hex fixtures, one-shot decode/encode, split invariance.
#pragma once

#include <doctest/doctest.h>

#include <cctype>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mqttconn/codec.hpp"

namespace mqttconn::test {

// "10 0d 00 04 4d515454" -> bytes. Spaces, newlines and anything after '#' on a line are ignored.
inline std::vector<std::uint8_t> hex(std::string_view s) {
  std::vector<std::uint8_t> out;
  int hi = -1;
  bool comment = false;
  for (char c : s) {
    if (c == '\n') comment = false;
    if (comment) continue;
    if (c == '#') { comment = true; continue; }
    if (!std::isxdigit(static_cast<unsigned char>(c))) continue;
    const int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
    if (hi < 0) {
      hi = d;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi << 4 | d));
      hi = -1;
    }
  }
  REQUIRE_MESSAGE(hi < 0, "odd number of hex digits");
  return out;
}

inline std::string to_hex(bytes b) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (std::uint8_t c : b) {
    if (!s.empty()) s += ' ';
    s += digits[c >> 4];
    s += digits[c & 15];
  }
  return s;
}

// An error's message followed by the bytes it came from, for failure output.
inline std::string describe(const error& e, bytes b) {
  std::string m = e.message();
  m.append(" in ");
  m.append(to_hex(b));
  return m;
}

inline std::string_view text(const std::vector<std::uint8_t>& v) {
  return {reinterpret_cast<const char*>(v.data()), v.size()};
}

inline binary bin(std::string_view s) { return binary(s); }

// Decodes one packet that must fill all of `in` exactly. Views point into `in`.
inline result<packet> decode_one(bytes in, protocol_version v, const decode_options& o = {}) {
  packet p;
  const result<std::size_t> r = decode(in, v, p, o);
  if (!r) return r.error();
  if (*r != in.size()) {
    return error{errc::malformed_packet, 0x81, 0, *r, "test input", "has bytes after the packet"};
  }
  return p;
}

// Encodes through both the vector and the span encoder, checks they agree with
// encoded_size(), and returns the bytes.
template <class P>
result<std::vector<std::uint8_t>> encode_bytes(const P& p, protocol_version v) {
  std::vector<std::uint8_t> out;
  const result<std::size_t> n = encode(p, v, out);
  if (!n) {
    CHECK(out.empty());  // nothing written on failure
    return n.error();
  }
  const result<std::size_t> size = encoded_size(p, v);
  REQUIRE(size);
  CHECK(*size == *n);
  CHECK(out.size() == *n);
  std::vector<std::uint8_t> span_out(*n + 3, 0xEE);
  const result<std::size_t> m = encode(p, v, std::span<std::uint8_t>(span_out));
  REQUIRE(m);
  CHECK(*m == *n);
  span_out.resize(*m);
  CHECK(span_out == out);
  return out;
}

// What a stream decoder made of a byte stream: the packets (compared with the reference as
// they come, since views from the reassembly buffer do not outlive the next call) and the
// error that ended it, if any.
struct stream_outcome {
  std::size_t packets = 0;
  std::optional<error> failure;  // need_more at the end is not a failure
};

// Feeds `in` in chunks of the sizes `chunks` yields (repeating the last), calling `on_packet`
// for each packet. Stops at the first error.
inline stream_outcome feed(bytes in, protocol_version v, const decode_options& o,
                           const std::function<std::size_t(std::size_t)>& chunk_at,
                           const std::function<void(std::size_t, const packet&)>& on_packet) {
  stream_decoder d(v, o);
  stream_outcome out;
  std::size_t pos = 0;
  packet p;
  while (pos < in.size() && !out.failure) {
    const std::size_t n = std::min(chunk_at(pos), in.size() - pos);
    bytes chunk = in.subspan(pos, n);
    const std::size_t before = chunk.size();
    for (;;) {
      const result<void> r = d.next(chunk, p);
      if (!r) {
        if (r.error().code != errc::need_more) out.failure = r.error();
        break;
      }
      // A server learns the level from CONNECT.
      if (const auto* c = std::get_if<connect>(&p)) d.set_version(c->version);
      on_packet(out.packets++, p);
    }
    if (!out.failure) CHECK(chunk.empty());  // need_more means every byte was taken
    pos += before - chunk.size();
    if (out.failure) break;
  }
  return out;
}

// Split invariance [MQTT-6.0.0-2]: fed whole, byte by byte and split at every point, `in`
// gives the same packets and the same error at the same offset. Returns the whole-feed result.
inline stream_outcome check_split_invariance(bytes in, protocol_version v, const decode_options& o = {}) {
  std::vector<packet> ref;
  const stream_outcome whole = feed(in, v, o, [&](std::size_t) { return in.size(); },
                                    [&](std::size_t, const packet& p) { ref.push_back(p); });
  auto same = [&](const stream_outcome& s, const char* how) {
    INFO(how);
    CHECK(s.packets == whole.packets);
    CHECK(s.failure.has_value() == whole.failure.has_value());
    if (s.failure && whole.failure) {
      CHECK(s.failure->offset == whole.failure->offset);
      CHECK(*s.failure == *whole.failure);
    }
  };
  auto compare = [&](std::size_t i, const packet& p) {
    REQUIRE(i < ref.size());
    CHECK(p == ref[i]);
  };
  same(feed(in, v, o, [](std::size_t) { return 1; }, compare), "byte by byte");
  for (std::size_t k = 1; k < in.size(); ++k) {
    same(feed(in, v, o, [k](std::size_t pos) { return pos < k ? k - pos : std::size_t(-1); }, compare),
         "split in two");
  }
  for (std::size_t c : {2, 3, 7, 64}) {
    same(feed(in, v, o, [c](std::size_t) { return c; }, compare), "fixed chunks");
  }
  return whole;
}

}  // namespace mqttconn::test
