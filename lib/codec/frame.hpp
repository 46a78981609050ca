// The fixed header, and the decoding of one whole packet ("frame") once all of it is at hand.
// Shared by decode() and stream_decoder so that both find the same faults at the same offsets.
#pragma once

#include <cstdint>

#include "mqttconn/codec.hpp"

namespace mqttconn::detail {

struct fixed_header {
  std::uint8_t first = 0;       // type and flags
  std::uint8_t size = 0;        // 1 + bytes of the Remaining Length
  std::uint32_t remaining = 0;  // Remaining Length
  std::size_t total() const noexcept { return size + std::size_t{remaining}; }
};

// Parses the fixed header from the `avail` bytes at p. Each check runs as soon as its bytes
// are there, so a bad first byte or an oversized length is reported without waiting for (or
// buffering) the body. need_more until the header is complete.
result<fixed_header> parse_fixed_header(const std::uint8_t* p, std::size_t avail,
                                        protocol_version v, const decode_options& o) noexcept;

// Decodes a whole packet whose fixed header is h; error offsets count from `frame`.
result<void> decode_frame(const std::uint8_t* frame, const fixed_header& h, protocol_version v,
                          const decode_options& o, packet& out) noexcept;

}  // namespace mqttconn::detail
