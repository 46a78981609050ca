// reader: bounds-checked reads of one packet's bytes with a sticky first error.
//
// Every read checks its bounds; the first failure is recorded and the cursor jumps to the end,
// so every later read fails quietly and loops over "bytes left" stop. Decoders can then read a
// packet straight through and test failed() once, and the error reported is always the first
// fault in byte order - the same whichever way the stream was split.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "mqttconn/codec.hpp"
#include "utf8.hpp"
#include "varint.hpp"

namespace mqttconn::detail {

class reader {
 public:
  // The first fault goes to *err, which is only written on failure.
  reader(const std::uint8_t* p, const std::uint8_t* end, const std::uint8_t* base,
         const decode_options& o, error* err) noexcept
      : p_(p), end_(end), base_(base), opts_(o), err_(err) {}

  bool failed() const noexcept { return failed_; }
  const decode_options& options() const noexcept { return opts_; }
  std::size_t left() const noexcept { return static_cast<std::size_t>(end_ - p_); }
  const std::uint8_t* pos() const noexcept { return p_; }

  void fail_at(const std::uint8_t* at, errc code, std::uint8_t rc, const char* field,
               const char* what) noexcept {
    if (!failed_) {
      failed_ = true;
      *err_ = {code, rc, 0, static_cast<std::uint64_t>(at - base_), field, what};
    }
    p_ = end_;
  }
  void fail(const std::uint8_t* at, const char* field, const char* what) noexcept {
    fail_at(at, errc::malformed_packet, 0x81, field, what);
  }
  void protocol(const std::uint8_t* at, const char* field, const char* what) noexcept {
    fail_at(at, errc::protocol_error, 0x82, field, what);
  }

  std::uint8_t u8(const char* field) noexcept {
    if (p_ == end_) return truncated(field), std::uint8_t{0};
    return *p_++;
  }
  std::uint16_t u16(const char* field) noexcept {
    if (left() < 2) return truncated(field), std::uint16_t{0};
    const std::uint16_t v = static_cast<std::uint16_t>(p_[0] << 8 | p_[1]);
    p_ += 2;
    return v;
  }
  std::uint32_t u32(const char* field) noexcept {
    if (left() < 4) return truncated(field), 0u;
    const std::uint32_t v = std::uint32_t{p_[0]} << 24 | std::uint32_t{p_[1]} << 16 |
                            std::uint32_t{p_[2]} << 8 | p_[3];
    p_ += 4;
    return v;
  }
  std::uint32_t vbi(const char* field) noexcept {
    const vbi_parse v = vbi_read(p_, left());
    switch (v.status) {
      case vbi_status::ok: p_ += v.len; return v.value;
      case vbi_status::need_more: truncated(field); break;
      case vbi_status::too_long: fail(p_ + v.len, field, "is a Variable Byte Integer longer than 4 bytes"); break;
      case vbi_status::not_minimal: fail(p_ + v.len, field, "is a Variable Byte Integer not in its shortest form"); break;
    }
    return 0;
  }
  // Binary Data: two-byte length, then the bytes.
  binary bin(const char* field) noexcept {
    const std::uint8_t* at = p_;
    const std::size_t n = u16(field);
    if (left() < n) {
      fail(at, field, "runs past the end of the packet");
      return {};
    }
    binary b(p_, n);
    p_ += n;
    return b;
  }
  // UTF-8 Encoded String, validated.
  std::string_view str(const char* field) noexcept {
    const binary b = bin(field);
    if (opts_.reject_disallowed_code_points || !plain_ascii<false>(b.data(), b.size())) {
      validate(b, field);
    }
    return b.as_string();
  }
  // A Topic Name: a validated string; `wildcard` tells whether it holds '+' or '#'.
  std::string_view topic(const char* field, bool& wildcard) noexcept {
    const binary b = bin(field);
    wildcard = false;
    if (opts_.reject_disallowed_code_points || !plain_ascii<true>(b.data(), b.size())) {
      validate(b, field);
      wildcard = has_wildcard(b.data(), b.size());
    }
    return b.as_string();
  }
  // Everything up to the end (a payload).
  binary rest() noexcept {
    binary b(p_, left());
    p_ = end_;
    return b;
  }
  // A sub-reader over the next n bytes (a property block); this reader skips them. Faults
  // go to the same error slot; join() passes the failure back.
  reader sub(std::size_t n, const char* field) noexcept {
    if (left() < n) {
      fail(p_, field, "runs past the end of the packet");
      return reader(end_, end_, base_, opts_, err_, true);
    }
    reader r(p_, p_ + n, base_, opts_, err_);
    p_ += n;
    return r;
  }
  void join(const reader& sub) noexcept {
    if (sub.failed_ && !failed_) {
      failed_ = true;
      p_ = end_;
    }
  }
  // [V5-U06] bytes left over inside the packet are malformed.
  void expect_end(const char* field) noexcept {
    if (p_ != end_) fail(p_, field, "is followed by bytes the packet does not define");
  }

 private:
  reader(const std::uint8_t* p, const std::uint8_t* end, const std::uint8_t* base,
         const decode_options& o, error* err, bool failed) noexcept
      : p_(p), end_(end), base_(base), opts_(o), err_(err), failed_(failed) {}
  void truncated(const char* field) noexcept { fail(p_, field, "runs past the end of the packet"); }
  void validate(binary b, const char* field) noexcept {
    const utf8_check c = utf8_validate(b.data(), b.size(), opts_.reject_disallowed_code_points);
    if (c.fault != utf8_fault::none) fail(b.data() + c.at, field, utf8_fault_text(c.fault));
  }

  const std::uint8_t* p_;
  const std::uint8_t* end_;
  const std::uint8_t* base_;
  const decode_options& opts_;
  error* err_;
  bool failed_ = false;
};

}  // namespace mqttconn::detail
