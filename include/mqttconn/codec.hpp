// The wire codec: bytes <-> packets, for protocol levels 3 (MQTT 3.1), 4 (3.1.1) and 5.
//
// decode() and the encoders are stateless; stream_decoder adds the one piece of state a byte
// stream needs (a reassembly buffer for packets split across feeds). Nothing here throws except
// std::bad_alloc from the functions that append to a std::vector or grow a buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <span>
#include <string_view>
#include <vector>

#include "mqttconn/packet.hpp"
#include "mqttconn/result.hpp"
#include "mqttconn/types.hpp"

namespace mqttconn {

// The protocol's own limit: 1 type byte + 4 length bytes + 268,435,455.
inline constexpr std::uint32_t max_remaining_length = 268'435'455;
inline constexpr std::uint32_t protocol_max_packet_size = 1 + 4 + max_remaining_length;

struct decode_options {
  // Largest whole packet accepted (fixed header included), checked as soon as the fixed header
  // is complete, before any byte of the body is buffered: 0x95 packet too large.
  std::uint32_t max_packet_size = protocol_max_packet_size;
  // Reject U+0001..U+001F, U+007F..U+009F and noncharacters in strings (0x81) [V5-U02].
  bool reject_disallowed_code_points = false;
  // Reject a payload marked UTF-8 (Payload Format Indicator 1) that is not: 0x99 [V5-U15].
  bool check_payload_format = false;
};

// Decodes the packet at the front of `in` into `out`, never reading past `in`, and returns the
// number of bytes it used. A CONNECT is decoded at the level it names; every other packet at
// level `v`. Views in `out` point into `in`. errc::need_more when `in` is a proper prefix of a
// packet; any other error is final. `out` is reused rather than returned, so a hot loop
// decodes without moving packets around; after an error its content is unspecified.
result<std::size_t> decode(bytes in, protocol_version v, packet& out,
                           const decode_options& o = {}) noexcept;

// A push parser for one direction of a connection. Feed it any split of the byte stream; it
// yields the same packets in the same order. Packets that arrive whole are views of the fed
// bytes; only a packet split across feeds is copied, into a buffer that is reused.
class stream_decoder {
 public:
  explicit stream_decoder(protocol_version v = protocol_version::v5, decode_options o = {},
                          std::pmr::memory_resource* mr = std::pmr::get_default_resource());

  // Decodes the next packet into `out`, advancing `in` past the bytes it took (the bytes of a
  // partial packet are taken into the buffer). errc::need_more: `in` is used up, feed more.
  // Views in `out` live until the next call and, for packets that arrived whole, as long as
  // the caller's bytes. Any other error is sticky: every later call returns it again, and
  // error::offset counts from the first byte ever fed. Throws std::bad_alloc only.
  result<void> next(bytes& in, packet& out);

  // Level used for every packet but CONNECT; a server sets it from the CONNECT it received.
  void set_version(protocol_version v) noexcept { version_ = v; }
  protocol_version version() const noexcept { return version_; }
  const decode_options& options() const noexcept { return opts_; }
  std::uint64_t offset() const noexcept { return offset_; }  // stream bytes taken so far
  // Bytes of a packet not yet whole that are held in the buffer.
  std::size_t buffered() const noexcept { return delivered_ ? 0 : buf_.size(); }
  bool failed() const noexcept { return failed_; }

 private:
  result<void> fail(const error& e);

  protocol_version version_;
  decode_options opts_;
  std::pmr::vector<std::uint8_t> buf_;  // partial packet; capacity kept between packets
  std::uint64_t offset_ = 0;
  std::uint32_t remaining_ = 0;         // Remaining Length of the buffered packet ...
  std::uint8_t header_size_ = 0;        // ... once its fixed header is complete (else 0)
  bool delivered_ = false;              // buf_ holds a packet handed out by the last call
  bool failed_ = false;
  error error_{};
};

// Encoders. Each validates first and writes nothing when the packet cannot be sent legally at
// level `v` (errc::invalid_packet, with the field and the reason in the error).

// Exact size of the encoded packet.
template <class P>
result<std::size_t> encoded_size(const P& p, protocol_version v) noexcept;
// Writes the packet at the front of `out`; errc::buffer_too_small if it does not fit.
template <class P>
result<std::size_t> encode(const P& p, protocol_version v, std::span<std::uint8_t> out) noexcept;
// Appends the packet to `out`. Throws std::bad_alloc only.
template <class P>
result<std::size_t> encode(const P& p, protocol_version v, std::vector<std::uint8_t>& out);

result<std::size_t> encoded_size(const packet& p, protocol_version v) noexcept;
result<std::size_t> encode(const packet& p, protocol_version v, std::span<std::uint8_t> out) noexcept;
result<std::size_t> encode(const packet& p, protocol_version v, std::vector<std::uint8_t>& out);

// A PUBLISH without its payload: the bytes to send before p.payload, so a large payload is
// handed to writev() by reference instead of being copied. Returns the header length.
result<std::size_t> encode_publish_header(const publish& p, protocol_version v,
                                          std::span<std::uint8_t> out) noexcept;

// Largest header encode_publish_header() can produce: fixed header, topic, id, properties.
// Properties can be large, so callers size their buffer with publish_header_size().
result<std::size_t> publish_header_size(const publish& p, protocol_version v) noexcept;

// Stand-alone checks the codec applies, for layers above (all return 0 when valid, else the
// MQTT 5 reason code: 0x81 for bad UTF-8, 0x90 / 0x8F for topic syntax).
std::uint8_t check_utf8(std::string_view s, bool reject_disallowed = false) noexcept;
std::uint8_t check_topic_name(std::string_view s) noexcept;    // no wildcards, not empty
std::uint8_t check_topic_filter(std::string_view s) noexcept;  // '#' last, '+' whole level, $share

}  // namespace mqttconn
