// connection::enqueue: encode a packet into the output queue (see output_queue.cpp).
#pragma once

#include <algorithm>
#include <type_traits>

#include "mqttconn/connection.hpp"

namespace mqttconn {

template <class P>
result<void> connection::enqueue(const P& p) {
  const result<std::size_t> size = encoded_size(p, version_);
  if (!size) return size.error();
  if (*size > s_.peer_max_packet) {
    return error{errc::invalid_packet, 0x95, static_cast<std::uint8_t>(packet_type_of<P>),
                 0, "packet", "is larger than the peer's Maximum Packet Size [MQTT-3.1.2-24] [MQTT-3.2.2-15]"};
  }
  if (*size > opts_.max_output - std::min(queued_, opts_.max_output)) {
    return error{errc::output_full, 0, 0, 0, "output queue", "would exceed max_output"};
  }
  std::size_t copied = *size;
  binary borrowed;  // a PUBLISH payload queued by reference
  if constexpr (std::is_same_v<P, mqttconn::publish>) {
    if (opts_.borrow_payloads_from != 0 && p.payload.size() >= opts_.borrow_payloads_from) {
      borrowed = p.payload;
      copied -= borrowed.size();
    }
  }
  // Reserve first: if allocation throws, nothing has changed.
  segs_.reserve(segs_.size() + 2);
  const std::size_t at = buf_.size();
  buf_.resize(at + copied);
  const std::span<std::uint8_t> dst(buf_.data() + at, copied);
  result<std::size_t> written = 0;
  if constexpr (std::is_same_v<P, mqttconn::publish>) {
    written = borrowed.empty() ? encode(p, version_, dst) : encode_publish_header(p, version_, dst);
  } else {
    written = encode(p, version_, dst);
  }
  if (!written) {  // cannot happen after encoded_size() succeeded; keep the queue intact anyway
    buf_.resize(at);
    return written.error();
  }
  if (!segs_.empty() && segs_.back().borrowed == nullptr && segs_.back().offset + segs_.back().size == at) {
    segs_.back().size += copied;
  } else {
    segs_.push_back({nullptr, at, copied});
  }
  if (!borrowed.empty()) segs_.push_back({borrowed.data(), 0, borrowed.size()});
  queued_ += *size;
  return {};
}

}  // namespace mqttconn
