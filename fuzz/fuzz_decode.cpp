// fuzz_decode: the stream decoder is split-invariant and fails only in documented ways.
//
// Input: codec_header (level, CONNECT-following, options, max packet size, chunk sizes), then
// the byte stream. The stream is decoded four ways: fed whole (the reference; its packets
// view the input, so they stay valid), byte by byte, in the header's chunk sizes, and by
// repeated decode() calls. All four must yield equal packets (==) and the same final error
// (code, reason code, offset, packet type). Along the way: every failure is a documented code
// with its reason code, failures are sticky, input is taken only from the front and never
// more than given, need_more takes everything, and every proper prefix of a decoded packet
// needs more.
#include <functional>
#include <optional>
#include <vector>

#include "fuzz_support.hpp"

using namespace mqttconn;
using namespace mqttconn::fuzz;

namespace {

struct outcome {
  std::size_t packets = 0;
  std::optional<error> failure;
};

// Feeds `stream` to a fresh decoder in chunks of chunk(i) bytes (i counts chunks), calling
// on_packet(index, packet) for each packet as it comes.
outcome feed(bytes stream, const codec_header& h, const std::function<std::size_t(std::size_t)>& chunk,
             const std::function<void(std::size_t, const packet&)>& on_packet) {
  stream_decoder d(h.level, h.opts);
  outcome out;
  packet p;
  std::size_t pos = 0;
  for (std::size_t i = 0;; ++i) {
    const std::size_t n = std::min(std::max<std::size_t>(chunk(i), 1), stream.size() - pos);
    bytes in = stream.subspan(pos, n);
    for (;;) {
      const std::uint8_t* const before = in.data();
      const std::size_t before_size = in.size();
      const std::uint64_t offset_before = d.offset();
      const result<void> r = d.next(in, p);
      const std::size_t used = before_size - in.size();
      FUZZ_CHECK(in.size() <= before_size && (in.empty() || in.data() == before + used),
                 "next() did not take its bytes from the front of the input");
      FUZZ_CHECK(d.offset() == offset_before + used, "offset() %llu does not count the %zu bytes taken",
                 static_cast<unsigned long long>(d.offset()), used);
      if (!r) {
        if (r.error().code == errc::need_more) {
          FUZZ_CHECK(in.empty(), "need_more left %zu bytes untaken", in.size());
          FUZZ_CHECK(!d.failed(), "need_more from a failed decoder");
          break;
        }
        check_decode_failure(r.error(), stream.size());
        FUZZ_CHECK(d.failed(), "an error left the decoder not failed: %s", describe(r.error()).c_str());
        // Sticky: the same error again, nothing taken.
        packet q;
        bytes again = in;
        const result<void> r2 = d.next(again, q);
        FUZZ_CHECK(!r2 && r2.error() == r.error(), "a failed decoder did not repeat its error %s",
                   describe(r.error()).c_str());
        FUZZ_CHECK(again.size() == in.size(), "a failed decoder took bytes");
        out.failure = r.error();
        return out;
      }
      FUZZ_CHECK(used > 0, "a packet came out of no new bytes");
      if (h.follow_connect) {
        if (const auto* c = std::get_if<connect>(&p)) d.set_version(c->version);
      }
      on_packet(out.packets++, p);
    }
    pos += n;
    if (pos == stream.size()) break;
  }
  FUZZ_CHECK(d.offset() == stream.size(), "the decoder took %llu of %zu bytes without failing",
             static_cast<unsigned long long>(d.offset()), stream.size());
  return out;
}

void same_error(const std::optional<error>& got, const std::optional<error>& want, const char* how) {
  FUZZ_CHECK(got.has_value() == want.has_value(), "%s: %s, fed whole: %s", how,
             got ? describe(*got).c_str() : "no error", want ? describe(*want).c_str() : "no error");
  if (!got) return;
  FUZZ_CHECK(got->code == want->code && got->reason_code == want->reason_code && got->offset == want->offset &&
                 got->packet == want->packet,
             "%s gives %s, fed whole %s", how, describe(*got).c_str(), describe(*want).c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < codec_header::size) return 0;
  const codec_header h(data);
  const bytes stream(data + codec_header::size, size - codec_header::size);

  // Fed whole: every packet lies whole in `stream`, so its views stay valid until we return.
  std::vector<packet> ref;
  const outcome whole = feed(stream, h, [&](std::size_t) { return stream.size(); },
                             [&](std::size_t, const packet& p) { ref.push_back(p); });

  auto compare = [&](const char* how) {
    return [&ref, how](std::size_t i, const packet& p) {
      FUZZ_CHECK(i < ref.size(), "%s yields packet %zu, fed whole only %zu", how, i, ref.size());
      FUZZ_CHECK(p == ref[i], "%s: packet %zu (%s) differs from the one fed whole", how, i,
                 to_string(type_of(p)));
    };
  };
  const outcome bytewise = feed(stream, h, [](std::size_t) { return 1; }, compare("byte by byte"));
  same_error(bytewise.failure, whole.failure, "byte by byte");
  FUZZ_CHECK(bytewise.packets == whole.packets, "byte by byte: %zu packets, fed whole %zu", bytewise.packets,
             whole.packets);

  const outcome chunked = feed(stream, h, [&](std::size_t i) { return h.chunks[i % 3]; }, compare("chunked"));
  same_error(chunked.failure, whole.failure, "chunked");
  FUZZ_CHECK(chunked.packets == whole.packets, "chunked: %zu packets, fed whole %zu", chunked.packets,
             whole.packets);

  // decode(), one packet at a time from the front, with its offsets relative to its input.
  protocol_version v = h.level;
  std::size_t pos = 0, count = 0;
  std::optional<error> failure;
  while (pos < stream.size()) {
    const bytes in = stream.subspan(pos);
    packet p;
    const result<std::size_t> r = decode(in, v, p, h.opts);
    if (!r) {
      if (r.error().code == errc::need_more) break;
      check_decode_failure(r.error(), in.size());
      failure = r.error();
      failure->offset += pos;
      break;
    }
    FUZZ_CHECK(*r >= 2 && *r <= in.size(), "decode() used %zu of %zu bytes", *r, in.size());
    FUZZ_CHECK(count < ref.size() && p == ref[count], "decode(): packet %zu (%s) differs from the stream decoder's",
               count, to_string(type_of(p)));
    // Every proper prefix of a packet needs more: the last byte missing, and one cut inside.
    for (const std::size_t cut : {*r - 1, 1 + count % (*r - 1)}) {
      packet q;
      const result<std::size_t> pr = decode(in.first(cut), v, q, h.opts);
      FUZZ_CHECK(!pr && pr.error().code == errc::need_more, "the first %zu of the %zu bytes of a %s: %s", cut, *r,
                 to_string(type_of(p)), pr ? "decoded" : describe(pr.error()).c_str());
    }
    if (h.follow_connect) {
      if (const auto* c = std::get_if<connect>(&p)) v = c->version;
    }
    pos += *r;
    ++count;
  }
  same_error(failure, whole.failure, "decode()");
  FUZZ_CHECK(count == whole.packets, "decode(): %zu packets, the stream decoder %zu", count, whole.packets);
  return 0;
}
