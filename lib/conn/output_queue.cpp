// The output queue: encoded packets waiting for the transport.
//
// Packets are encoded back to back into buf_, so the queue is one contiguous run of bytes,
// buf_[read_, used_), and output(), consume_output() and a send stay a few instructions each.
// The exception is a PUBLISH payload of at least borrow_payloads_from bytes: it is not copied
// but referenced by a borrow record that says where in buf_ it goes (right after its header),
// so the queue is then a list of runs ready for writev(). Consuming advances through buf_ and
// the borrows; an empty queue starts over at the front of buf_, and a long-lived backlog is
// compacted, so capacity is reused and steady traffic allocates nothing.
#include <algorithm>
#include <cstring>

#include "enqueue.hpp"

namespace mqttconn {

error connection::refuse_size(packet_type t, std::size_t size) const noexcept {
  if (size > s_.peer_max_packet) {
    return error{errc::invalid_packet, 0x95, static_cast<std::uint8_t>(t), 0, "packet",
                 "is larger than the peer's Maximum Packet Size [MQTT-3.1.2-24] [MQTT-3.2.2-15]"};
  }
  return error{errc::output_full, 0, static_cast<std::uint8_t>(t), 0, "output queue", "would exceed max_output"};
}

void connection::grow(std::size_t n) {
  buf_.resize(std::max(used_ + n, 2 * buf_.size()));
}

result<void> connection::enqueue_borrowed(const mqttconn::publish& p, std::size_t body, std::size_t size) {
  // Room for the record first, then for the header: if either allocation throws, nothing
  // has changed.
  if (borrows_.size() == borrows_.capacity()) borrows_.reserve(std::max<std::size_t>(8, 2 * borrows_.size()));
  detail::write_publish_header(append(size - p.payload.size()), p, version_, body);
  borrows_.push_back({used_, p.payload.data(), p.payload.size()});
  queued_ += size;
  return {};
}

bytes connection::borrowed_output() const noexcept {
  const borrow& b = borrows_[next_borrow_];
  if (read_ < b.at) return bytes(buf_.data() + read_, b.at - read_);
  return bytes(b.data + borrow_off_, b.size - borrow_off_);
}

std::size_t connection::output_segments(std::span<bytes> out) const noexcept {
  std::size_t n = 0, pos = read_, off = borrow_off_;
  for (std::size_t i = next_borrow_; n < out.size(); ) {
    if (i == borrows_.size()) {
      if (pos < used_) out[n++] = bytes(buf_.data() + pos, used_ - pos);
      break;
    }
    const borrow& b = borrows_[i];
    if (pos < b.at) {
      out[n++] = bytes(buf_.data() + pos, b.at - pos);
      pos = b.at;
    } else {
      out[n++] = bytes(b.data + off, b.size - off);
      off = 0;
      ++i;
    }
  }
  return n;
}

void connection::drop_borrows() noexcept {
  borrows_.clear();
  next_borrow_ = borrow_off_ = 0;
}

void connection::consume_part(std::size_t n) noexcept {
  queued_ -= n;
  while (n > 0) {
    if (borrows_.empty()) {
      read_ += n;
      break;
    }
    const borrow& b = borrows_[next_borrow_];
    if (read_ < b.at) {
      const std::size_t k = std::min(n, b.at - read_);
      read_ += k;
      n -= k;
    } else if (n < b.size - borrow_off_) {
      borrow_off_ += n;
      break;
    } else {
      n -= b.size - borrow_off_;
      borrow_off_ = 0;
      // All records written: drop them, so output() needs no more than an empty test.
      if (++next_borrow_ == borrows_.size()) drop_borrows();
    }
  }
  // A backlog that is never fully drained: once the written part is the larger one, drop it,
  // so neither the buffer nor the records grow without bound.
  const bool bytes_done = read_ >= 4096 && read_ >= used_ - read_;
  const bool borrows_done = next_borrow_ >= 32 && next_borrow_ >= borrows_.size() - next_borrow_;
  if (!bytes_done && !borrows_done) return;
  borrows_.erase(borrows_.begin(), borrows_.begin() + static_cast<std::ptrdiff_t>(next_borrow_));
  next_borrow_ = 0;
  for (borrow& b : borrows_) b.at -= read_;
  std::memmove(buf_.data(), buf_.data() + read_, used_ - read_);
  used_ -= read_;
  read_ = 0;
}

// The send methods: check the rules, then queue (publish(), the hot path, is in rules.cpp).
#define MQTTCONN_SEND(name, P)                                           \
  result<void> connection::name(const mqttconn::P& p) {                 \
    if (result<void> ok = check_send(p); !ok) [[unlikely]] return ok;  \
    result<void> r = enqueue(p);                                        \
    if (r) after_send(p);                                               \
    return r;                                                           \
  }
MQTTCONN_SEND(connect, connect)
MQTTCONN_SEND(connack, connack)
MQTTCONN_SEND(puback, puback)
MQTTCONN_SEND(pubrec, pubrec)
MQTTCONN_SEND(pubrel, pubrel)
MQTTCONN_SEND(pubcomp, pubcomp)
MQTTCONN_SEND(subscribe, subscribe)
MQTTCONN_SEND(suback, suback)
MQTTCONN_SEND(unsubscribe, unsubscribe)
MQTTCONN_SEND(unsuback, unsuback)
MQTTCONN_SEND(disconnect, disconnect)
MQTTCONN_SEND(auth, auth)
#undef MQTTCONN_SEND

result<void> connection::pingreq() {
  const mqttconn::pingreq p;
  if (result<void> ok = check_send(p); !ok) return ok;
  return enqueue(p);
}

result<void> connection::pingresp() {
  const mqttconn::pingresp p;
  if (result<void> ok = check_send(p); !ok) return ok;
  return enqueue(p);
}

result<void> connection::send(const packet& p) {
  return std::visit(
      [this](const auto& x) -> result<void> {
        using P = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<P, mqttconn::pingreq>) return pingreq();
        else if constexpr (std::is_same_v<P, mqttconn::pingresp>) return pingresp();
        else if constexpr (std::is_same_v<P, mqttconn::connect>) return connect(x);
        else if constexpr (std::is_same_v<P, mqttconn::connack>) return connack(x);
        else if constexpr (std::is_same_v<P, mqttconn::publish>) return publish(x);
        else if constexpr (std::is_same_v<P, mqttconn::puback>) return puback(x);
        else if constexpr (std::is_same_v<P, mqttconn::pubrec>) return pubrec(x);
        else if constexpr (std::is_same_v<P, mqttconn::pubrel>) return pubrel(x);
        else if constexpr (std::is_same_v<P, mqttconn::pubcomp>) return pubcomp(x);
        else if constexpr (std::is_same_v<P, mqttconn::subscribe>) return subscribe(x);
        else if constexpr (std::is_same_v<P, mqttconn::suback>) return suback(x);
        else if constexpr (std::is_same_v<P, mqttconn::unsubscribe>) return unsubscribe(x);
        else if constexpr (std::is_same_v<P, mqttconn::unsuback>) return unsuback(x);
        else if constexpr (std::is_same_v<P, mqttconn::disconnect>) return disconnect(x);
        else return auth(x);
      },
      p);
}

}  // namespace mqttconn
