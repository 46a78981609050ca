// stream_decoder: the theory of operation.
//
// A packet that lies whole inside the caller's bytes is decoded in place (the fast path: no
// copy). Otherwise its bytes are appended to buf_, taking never more than the packet needs,
// so the bytes of the next packet stay with the caller. The fixed header is parsed first,
// from at most 5 bytes, and its checks (flags, length encoding, maximum packet size) run
// before a single body byte is buffered. Once buf_ holds the whole packet it is decoded from
// there and stays untouched until the next call. The first error is remembered and returned
// by every later call: a stream that went bad once cannot be resynchronised.
#include <algorithm>
#include <cstring>

#include "frame.hpp"
#include "mqttconn/codec.hpp"

namespace mqttconn {

stream_decoder::stream_decoder(protocol_version v, decode_options o, std::pmr::memory_resource* mr)
    : version_(v), opts_(o), buf_(mr) {}

result<void> stream_decoder::fail(const error& e) {
  failed_ = true;
  error_ = e;
  return e;
}

result<void> stream_decoder::next(bytes& in, packet& out) {
  static const error need_more{errc::need_more, 0, 0, 0, "packet", "is incomplete"};
  if (failed_) return error_;
  if (delivered_) {
    buf_.clear();
    header_size_ = 0;
    delivered_ = false;
  }

  detail::fixed_header h;
  error e;
  if (buf_.empty()) {
    const detail::header_status s = detail::parse_fixed_header(in.data(), in.size(), version_, opts_, h, e);
    if (s == detail::header_status::failed) {
      e.offset += offset_;
      return fail(e);
    }
    const bool whole_header = s == detail::header_status::ok;
    if (whole_header && in.size() >= h.total()) {
      if (!detail::decode_frame(in.data(), h, version_, opts_, out, e)) {
        e.offset += offset_;
        return fail(e);
      }
      offset_ += h.total();
      in = in.subspan(h.total());
      return {};
    }
    if (in.empty()) return need_more;
    if (whole_header) remaining_ = h.remaining, header_size_ = h.size;
    // Only the fixed header has been checked so far; a partial header is at most 4 bytes.
    const std::size_t take = whole_header ? in.size() : std::min<std::size_t>(in.size(), 4);
    buf_.assign(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(take));
    offset_ += take;
    in = in.subspan(take);
    return need_more;
  }

  const std::uint64_t start = offset_ - buf_.size();
  if (header_size_ == 0) {
    // Complete the fixed header from at most 5 bytes: what is buffered plus the new input.
    std::uint8_t head[5];
    const std::size_t have = buf_.size();
    const std::size_t add = std::min(sizeof head - have, in.size());
    std::memcpy(head, buf_.data(), have);
    if (add != 0) std::memcpy(head + have, in.data(), add);
    const detail::header_status s = detail::parse_fixed_header(head, have + add, version_, opts_, h, e);
    if (s == detail::header_status::failed) {
      e.offset += start;
      return fail(e);
    }
    if (s == detail::header_status::need_more) {
      buf_.insert(buf_.end(), in.begin(), in.end());  // add == in.size() here
      offset_ += in.size();
      in = {};
      return need_more;
    }
    remaining_ = h.remaining;
    header_size_ = h.size;
  }

  const std::size_t total = header_size_ + std::size_t{remaining_};
  const std::size_t take = std::min(total - buf_.size(), in.size());
  buf_.insert(buf_.end(), in.begin(), in.begin() + static_cast<std::ptrdiff_t>(take));
  offset_ += take;
  in = in.subspan(take);
  if (buf_.size() < total) return need_more;

  h = {buf_[0], header_size_, remaining_};
  if (!detail::decode_frame(buf_.data(), h, version_, opts_, out, e)) {
    e.offset += start;
    return fail(e);
  }
  delivered_ = true;
  return {};
}

}  // namespace mqttconn
