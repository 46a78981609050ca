// codec_bench: decode and encode throughput of the mqttconn codec on six fixed workloads.
//
//   codec_bench [--json] [--reps N] [--min-time SECONDS] [--only W1-decode,W2-encode,...]
//   codec_bench --dump DIR              writes the wire bytes of W1..W6 (for bench/node)
//   codec_bench --callgrind W1-decode N runs exactly N iterations of one job, untimed
//   codec_bench --list                  job names
//
// The capi-decode and capi-encode jobs do W1 and W2 through the C API (mqttconn_decode() into
// a mqttconn_packet, mqttconn_encode() from one), to compare with the C++ decode and encode
// jobs: the price of the C surface (argument checks, the firewall, the conversion of fields,
// property blocks and lists to and from C structs).
//
// Method: every job runs a loop of `iters` iterations (calibrated so that one repetition takes
// at least --min-time, default 0.2 s), --reps times (default 9); the figure reported is the
// median ns per packet over the repetitions. The calibration runs double as warm-up. Heap
// allocations are counted by the replaced global operator new below, over all timed
// repetitions, and reported per packet. Every loop folds fields of what it decoded (or the
// sizes it encoded) into a checksum that is printed, and the decode/encode calls live in the
// library (no LTO), so the optimiser cannot drop the work.
//
// Under callgrind, only mqb_run_loop is collected (--collect-atstart=no
// --toggle-collect=mqb_run_loop); see bench/callgrind.sh.
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <ctime>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "mqttconn.h"
#include "mqttconn/codec.hpp"
#include "mqttconn/connection.hpp"

// ---------------------------------------------------------------------------------------------
// Allocation counting: every global operator new of this binary (the library is linked in
// statically, std::pmr's default resource ends up here too).

namespace {
std::uint64_t g_allocs = 0;

void* counted_alloc(std::size_t n) {
  ++g_allocs;
  if (n == 0) n = 1;
  if (void* p = std::malloc(n)) return p;
  throw std::bad_alloc();
}
void* counted_alloc_aligned(std::size_t n, std::align_val_t al) {
  ++g_allocs;
  const std::size_t a = std::max(static_cast<std::size_t>(al), sizeof(void*));
  n = (n + a - 1) / a * a;
  if (n == 0) n = a;
  if (void* p = std::aligned_alloc(a, n)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t n) { return counted_alloc(n); }
void* operator new[](std::size_t n) { return counted_alloc(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try { return counted_alloc(n); } catch (...) { return nullptr; }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try { return counted_alloc(n); } catch (...) { return nullptr; }
}
void* operator new(std::size_t n, std::align_val_t a) { return counted_alloc_aligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_alloc_aligned(n, a); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  try { return counted_alloc_aligned(n, a); } catch (...) { return nullptr; }
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  try { return counted_alloc_aligned(n, a); } catch (...) { return nullptr; }
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

using namespace mqttconn;
using clock_type = std::chrono::steady_clock;

// Makes the optimiser believe `p` is read and may be written: the bytes behind it are "used".
inline void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "codec_bench: %s\n", msg.c_str());
  std::exit(2);
}

// ---------------------------------------------------------------------------------------------
// Workloads. Payload bytes follow one pattern on both sides of the comparison (bench.js).

std::vector<std::uint8_t> pattern(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>((i * 31 + 7) & 0xFF);
  return v;
}

constexpr std::size_t w6_packets = 1'000'000;

const user_property w2_user_props[] = {{"a", "1"}, {"b", "2"}};
const subscription w4_subs[] = {
    {"a/b/c/0", qos::at_least_once}, {"a/b/c/1", qos::at_least_once},
    {"a/b/c/2", qos::at_least_once}, {"a/b/c/3", qos::at_least_once},
    {"a/b/c/4", qos::at_least_once}, {"a/b/c/5", qos::at_least_once},
    {"a/b/c/6", qos::at_least_once}, {"a/b/c/7", qos::at_least_once},
    {"a/b/c/8", qos::at_least_once}, {"a/b/c/9", qos::at_least_once},
};

struct workloads {
  std::vector<std::uint8_t> pay32 = pattern(32), pay256 = pattern(256), pay64k = pattern(65536),
                            pay1k = pattern(1024), pay16 = pattern(16);
  publish w1, w2, w3, w3k;
  subscribe w4;
  connect w5;
  puback ack;
  pingreq ping;
  // Wire bytes: w1..w5 at their workload's level; W6 is the mixed v5 stream.
  std::vector<std::uint8_t> wire[6];

  workloads() {
    w1.topic = "sensors/room1/temp";
    w1.payload = binary(pay32.data(), pay32.size());

    w2.qos = qos::at_least_once;
    w2.packet_id = 42;
    w2.topic = "devices/abc123/telemetry";
    w2.props.set_message_expiry_interval(60);
    w2.props.set_content_type("application/json");
    w2.props.set_user_properties(w2_user_props);
    w2.payload = binary(pay256.data(), pay256.size());

    w3.topic = "bulk/data";
    w3.payload = binary(pay64k.data(), pay64k.size());
    w3k = w3;
    w3k.payload = binary(pay1k.data(), pay1k.size());

    w4.packet_id = 7;
    w4.subscriptions = w4_subs;

    w5.version = protocol_version::v5;
    w5.clean_start = true;
    w5.keep_alive = 60;
    w5.client_id = "client-0001";
    w5.username = "user";
    w5.password = binary(std::string_view("secret-pw"));
    will_message will;
    will.topic = "will/t";
    will.payload = binary(pay16.data(), pay16.size());
    will.qos = qos::at_least_once;
    will.props.set_will_delay_interval(10);
    w5.will = will;
    w5.props.set_session_expiry_interval(3600);
    w5.props.set_receive_maximum(100);

    ack.packet_id = 42;

    put(wire[0], w1, protocol_version::v3_1_1);
    put(wire[1], w2, protocol_version::v5);
    put(wire[2], w3, protocol_version::v3_1_1);
    put(wire[3], w4, protocol_version::v5);
    put(wire[4], w5, protocol_version::v5);
  }

  template <class P>
  static void put(std::vector<std::uint8_t>& out, const P& p, protocol_version v) {
    const result<std::size_t> r = encode(p, v, out);
    if (!r) die("encoding a workload packet failed: " + r.error().message());
  }

  // The fixed order of 20: 8 W1 ('1'), 4 W2 ('2'), 3 PUBACK ('A'), 2 PINGREQ ('P'), 2 W4 ('4'),
  // 1 W3k ('K': W3 with a 1 KiB payload), all at level 5.
  static constexpr char w6_pattern[21] = {'1', '2', '1', 'A', '1', 'P', '2', '1', '4', '1',
                                          'A', '2', '1', 'K', '1', '2', 'P', '1', 'A', '4', 0};

  // Built on demand (150 MB): callgrind runs of the other jobs do not pay for it.
  void build_w6() {
    if (!wire[5].empty()) return;
    const protocol_version v = protocol_version::v5;
    std::vector<std::uint8_t> unit;  // one round of the pattern
    for (const char* c = w6_pattern; *c; ++c) {
      switch (*c) {
        case '1': put(unit, w1, v); break;
        case '2': put(unit, w2, v); break;
        case 'K': put(unit, w3k, v); break;
        case 'A': put(unit, ack, v); break;
        case 'P': put(unit, ping, v); break;
        case '4': put(unit, w4, v); break;
      }
    }
    std::vector<std::uint8_t>& w = wire[5];
    w.reserve(unit.size() * (w6_packets / 20));
    for (std::size_t i = 0; i < w6_packets / 20; ++i) w.insert(w.end(), unit.begin(), unit.end());
  }
};

workloads* g_w = nullptr;

// ---------------------------------------------------------------------------------------------
// Loops. Each runs n iterations and returns a checksum of what it saw.

struct job;
using loop_fn = std::uint64_t (*)(const job&, std::uint64_t);

struct job {
  std::string name;       // "W1-decode"
  std::string workload;   // "W1"
  std::string direction;  // "decode" / "encode"
  loop_fn fn;
  std::size_t packets_per_iter;
  std::size_t bytes_per_iter;  // wire bytes
  int w;                       // index into workloads::wire
  protocol_version v;
};

const decode_options g_opts{};
std::uint8_t g_out[1 << 17];  // encode target; bigger than any workload

inline std::uint64_t fold(const publish& p) {
  return p.topic.size() + p.payload.size() + p.packet_id + static_cast<std::uint64_t>(p.qos) +
         p.props.user_properties().size() + p.props.message_expiry_interval().value_or(0);
}
inline std::uint64_t fold(const subscribe& p) { return p.packet_id + p.subscriptions.size(); }
inline std::uint64_t fold(const connect& p) {
  return p.client_id.size() + p.keep_alive + (p.will ? p.will->payload.size() : 0) +
         p.props.session_expiry_interval().value_or(0);
}
inline std::uint64_t fold(const puback& p) { return p.packet_id; }

inline std::uint64_t fold_any(const packet& p) {
  switch (p.index()) {
    case 2: return fold(*std::get_if<publish>(&p));
    case 3: return fold(*std::get_if<puback>(&p));
    case 7: return fold(*std::get_if<subscribe>(&p));
    case 11: return 1;  // PINGREQ
    case 0: return fold(*std::get_if<connect>(&p));
    default: return 1000;
  }
}

template <class P>
std::uint64_t decode_loop(const job& j, std::uint64_t n) {
  const bytes in(g_w->wire[j.w]);
  const protocol_version v = j.v;
  packet p;
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    escape(in.data());
    const result<std::size_t> r = decode(in, v, p, g_opts);
    if (!r) [[unlikely]] die("decode failed: " + r.error().message());
    const P* x = std::get_if<P>(&p);
    if (x == nullptr) [[unlikely]] die("decoded the wrong packet type");
    sum += *r + fold(*x);
  }
  return sum;
}

template <class P>
const P& source(int w);
template <>
const publish& source<publish>(int w) {
  return w == 0 ? g_w->w1 : w == 1 ? g_w->w2 : g_w->w3;
}
template <>
const subscribe& source<subscribe>(int) { return g_w->w4; }
template <>
const connect& source<connect>(int) { return g_w->w5; }

template <class P>
std::uint64_t encode_loop(const job& j, std::uint64_t n) {
  const P& p = source<P>(j.w);
  const protocol_version v = j.v;
  const std::span<std::uint8_t> out(g_out);
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const result<std::size_t> r = encode(p, v, out);
    if (!r) [[unlikely]] die("encode failed: " + r.error().message());
    escape(out.data());
    sum += *r;
  }
  return sum;
}

// W3: the header is encoded, the payload goes out by reference (iovec pair); never copied.
struct iovec_pair {
  const std::uint8_t* base[2];
  std::size_t len[2];
};

std::uint64_t encode_header_loop(const job& j, std::uint64_t n) {
  const publish& p = g_w->w3;
  const protocol_version v = j.v;
  const std::span<std::uint8_t> out(g_out, 64);
  std::uint64_t sum = 0;
  iovec_pair iov{};
  for (std::uint64_t i = 0; i < n; ++i) {
    const result<std::size_t> r = encode_publish_header(p, v, out);
    if (!r) [[unlikely]] die("encode_publish_header failed: " + r.error().message());
    iov.base[0] = out.data();
    iov.len[0] = *r;
    iov.base[1] = p.payload.data();
    iov.len[1] = p.payload.size();
    escape(&iov);
    sum += iov.len[0] + iov.len[1];
  }
  return sum;
}

// W6: one stream decoder per run of the benchmark, fed the whole buffer in 4 KiB chunks per
// iteration (the buffer ends on a packet boundary, so the decoder is back at a packet start).
stream_decoder* g_stream = nullptr;

std::uint64_t stream_loop(const job&, std::uint64_t n) {
  const std::vector<std::uint8_t>& buf = g_w->wire[5];
  stream_decoder& d = *g_stream;
  packet p;
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t count = 0;
    for (std::size_t pos = 0; pos < buf.size(); pos += 4096) {
      bytes chunk(buf.data() + pos, std::min<std::size_t>(4096, buf.size() - pos));
      for (;;) {
        const result<void> r = d.next(chunk, p);
        if (!r) {
          if (r.error().code != errc::need_more) [[unlikely]] die("stream decode failed: " + r.error().message());
          break;
        }
        ++count;
        sum += fold_any(p);
      }
    }
    if (count != w6_packets || d.buffered() != 0) [[unlikely]] {
      die("W6 decoded " + std::to_string(count) + " packets, expected " + std::to_string(w6_packets));
    }
  }
  return sum;
}

// --- Through a connection ------------------------------------------------------------------
// The same work as W6-decode and W1/W2-encode, but through mqttconn::connection: W6 fed to a
// server connection in 4 KiB receives with events taken one by one; W1 and W2 sent with
// publish() and the output drained. Their ratio to the bare codec jobs is the cost of the
// connection layer.

// A connection through the CONNECT/CONNACK exchange, at level v, in role r.
connection connected(role r, protocol_version v, std::pmr::memory_resource* mr = std::pmr::get_default_resource()) {
  connection client(connection_options{.role = role::client}, mr);
  connection server(connection_options{.role = role::server}, mr);
  connect c = g_w->w5;
  c.version = v;
  if (v != protocol_version::v5) c.props = {}, c.will->props = {};
  if (!client.connect(c)) die("connect refused");
  auto pass = [](connection& from, connection& to) {
    std::vector<std::uint8_t> wire(from.output().begin(), from.output().end());
    from.consume_output(wire.size());
    bytes in(wire);
    while (!in.empty()) {
      const result<std::size_t> n = to.receive(in);
      if (!n) die("handshake: " + n.error().message());
      in = in.subspan(*n);
      to.next_event();
    }
  };
  pass(client, server);
  if (!server.connack({})) die("connack refused");
  pass(server, client);
  return r == role::client ? std::move(client) : std::move(server);
}

connection* g_server = nullptr;
connection* g_client4 = nullptr;
connection* g_client5 = nullptr;

std::uint64_t connection_stream_loop(const job&, std::uint64_t n) {
  const std::vector<std::uint8_t>& buf = g_w->wire[5];
  connection& c = *g_server;
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t count = 0;
    for (std::size_t pos = 0; pos < buf.size(); pos += 4096) {
      bytes in(buf.data() + pos, std::min<std::size_t>(4096, buf.size() - pos));
      while (!in.empty()) {
        const result<std::size_t> r = c.receive(in);
        if (!r) [[unlikely]] die("connection receive failed: " + r.error().message());
        in = in.subspan(*r);
        if (const packet* p = c.next_event()) {
          ++count;
          sum += fold_any(*p);
        }
      }
    }
    if (count != w6_packets) [[unlikely]] die("W6 through a connection: " + std::to_string(count) + " packets");
  }
  return sum;
}

std::uint64_t publish_loop(const job& j, std::uint64_t n) {
  connection& c = j.w == 0 ? *g_client4 : *g_client5;
  const publish& p = j.w == 0 ? g_w->w1 : g_w->w2;
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const result<void> r = c.publish(p);
    if (!r) [[unlikely]] die("publish refused: " + r.error().message());
    const bytes out = c.output();
    escape(out.data());
    sum += out.size();
    c.consume_output(out.size());
  }
  return sum;
}

// --- Through the C API -----------------------------------------------------------------------
// W1 and W2 as C structs, a decoder whose allocations are counted like operator new's.

void* capi_alloc(std::size_t size, std::size_t align, void*) {
  ++g_allocs;
  return align <= alignof(std::max_align_t) ? std::malloc(size ? size : 1)
                                            : std::aligned_alloc(align, (size + align - 1) / align * align);
}
void capi_free(void* p, std::size_t, std::size_t, void*) { std::free(p); }

struct capi_workloads {
  mqttconn_user_property ups[2];
  mqttconn_properties w2_props;
  mqttconn_packet w1, w2;
  mqttconn_decoder* dec = nullptr;

  static mqttconn_bytes b(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

  explicit capi_workloads(const workloads& w) {
    static const mqttconn_allocator hooks{nullptr, capi_alloc, capi_free};
    if (mqttconn_decoder_new(&dec, nullptr, &hooks) != MQTTCONN_OK) die("mqttconn_decoder_new failed");
    for (int i = 0; i < 2; ++i) ups[i] = {b(w2_user_props[i].name), b(w2_user_props[i].value)};
    std::memset(&w2_props, 0, sizeof w2_props);
    w2_props.struct_size = sizeof w2_props;
    w2_props.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_MESSAGE_EXPIRY_INTERVAL) | MQTTCONN_PROP_BIT(MQTTCONN_PROP_CONTENT_TYPE);
    w2_props.message_expiry_interval = *w.w2.props.message_expiry_interval();
    w2_props.content_type = b(*w.w2.props.content_type());
    w2_props.user_properties = ups;
    w2_props.user_property_count = 2;
    for (mqttconn_packet* p : {&w1, &w2}) {
      std::memset(p, 0, sizeof *p);
      p->struct_size = sizeof *p;
      p->type = MQTTCONN_PACKET_PUBLISH;
    }
    w1.topic = b(w.w1.topic);
    w1.payload = {w.w1.payload.data(), w.w1.payload.size()};
    w2.qos = 1;
    w2.packet_id = w.w2.packet_id;
    w2.topic = b(w.w2.topic);
    w2.payload = {w.w2.payload.data(), w.w2.payload.size()};
    w2.props = &w2_props;
  }
  ~capi_workloads() { mqttconn_decoder_free(dec); }
  capi_workloads(const capi_workloads&) = delete;
  capi_workloads& operator=(const capi_workloads&) = delete;
};

capi_workloads* g_capi = nullptr;

// The same fold as for the C++ publish.
inline std::uint64_t fold_c(const mqttconn_packet& p) {
  const mqttconn_properties& pr = *p.props;
  return p.topic.len + p.payload.len + p.packet_id + p.qos + pr.user_property_count +
         ((pr.present & MQTTCONN_PROP_BIT(MQTTCONN_PROP_MESSAGE_EXPIRY_INTERVAL)) ? pr.message_expiry_interval : 0);
}

std::uint64_t capi_decode_loop(const job& j, std::uint64_t n) {
  const std::vector<std::uint8_t>& in = g_w->wire[j.w];
  mqttconn_decoder* d = g_capi->dec;
  const int v = static_cast<int>(j.v);
  mqttconn_packet p;
  std::memset(&p, 0, sizeof p);
  p.struct_size = sizeof p;
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    escape(in.data());
    std::size_t used = 0;
    const int rc = mqttconn_decode(d, in.data(), in.size(), v, &used, &p);
    if (rc != MQTTCONN_OK) [[unlikely]] die(std::string("mqttconn_decode failed: ") + mqttconn_strerror(rc));
    if (p.type != MQTTCONN_PACKET_PUBLISH) [[unlikely]] die("decoded the wrong packet type");
    sum += used + fold_c(p);
  }
  return sum;
}

std::uint64_t capi_encode_loop(const job& j, std::uint64_t n) {
  const mqttconn_packet& p = j.w == 0 ? g_capi->w1 : g_capi->w2;
  const int v = static_cast<int>(j.v);
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::size_t written = 0;
    const int rc = mqttconn_encode(&p, v, g_out, sizeof g_out, &written);
    if (rc != MQTTCONN_OK) [[unlikely]] die(std::string("mqttconn_encode failed: ") + mqttconn_strerror(rc));
    escape(g_out);
    sum += written;
  }
  return sum;
}

// Heap held by a connection after the handshake, with its output drained: what an idle
// connection costs beyond the object itself.
struct counting_resource : std::pmr::memory_resource {
  std::size_t live = 0, peak = 0;
  void* do_allocate(std::size_t n, std::size_t a) override {
    live += n;
    peak = std::max(peak, live);
    return std::pmr::new_delete_resource()->allocate(n, a);
  }
  void do_deallocate(void* p, std::size_t n, std::size_t a) override {
    live -= n;
    std::pmr::new_delete_resource()->deallocate(p, n, a);
  }
  bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override { return this == &o; }
};

void report_idle(std::FILE* out) {
  counting_resource mr;
  {
    connection c = connected(role::server, protocol_version::v5, &mr);
    std::fprintf(out, "idle connection: object %zu B, heap after the CONNECT/CONNACK exchange %zu B (peak %zu B)\n",
                 sizeof(connection), mr.live, mr.peak);
  }
}

}  // namespace

// The loop callgrind collects: everything a job does per iteration is below this call.
extern "C" __attribute__((noinline)) std::uint64_t mqb_run_loop(const void* j, std::uint64_t n) {
  const job& jb = *static_cast<const job*>(j);
  return jb.fn(jb, n);
}

namespace {

std::vector<job> make_jobs(bool with_w6) {
  const workloads& w = *g_w;
  const protocol_version v4 = protocol_version::v3_1_1, v5 = protocol_version::v5;
  if (with_w6) g_w->build_w6();
  auto sz = [&](int i) { return w.wire[i].size(); };
  std::vector<job> j;
  j.push_back({"W1-decode", "W1", "decode", decode_loop<publish>, 1, sz(0), 0, v4});
  j.push_back({"W1-encode", "W1", "encode", encode_loop<publish>, 1, sz(0), 0, v4});
  j.push_back({"W2-decode", "W2", "decode", decode_loop<publish>, 1, sz(1), 1, v5});
  j.push_back({"W2-encode", "W2", "encode", encode_loop<publish>, 1, sz(1), 1, v5});
  j.push_back({"W3-decode", "W3", "decode", decode_loop<publish>, 1, sz(2), 2, v4});
  j.push_back({"W3-encode", "W3", "encode", encode_header_loop, 1, sz(2), 2, v4});
  j.push_back({"W4-decode", "W4", "decode", decode_loop<subscribe>, 1, sz(3), 3, v5});
  j.push_back({"W4-encode", "W4", "encode", encode_loop<subscribe>, 1, sz(3), 3, v5});
  j.push_back({"W5-decode", "W5", "decode", decode_loop<connect>, 1, sz(4), 4, v5});
  j.push_back({"W5-encode", "W5", "encode", encode_loop<connect>, 1, sz(4), 4, v5});
  if (with_w6) j.push_back({"W6-decode", "W6", "decode", stream_loop, w6_packets, sz(5), 5, v5});
  j.push_back({"W1-publish", "W1", "publish", publish_loop, 1, sz(0), 0, v4});
  j.push_back({"W2-publish", "W2", "publish", publish_loop, 1, sz(1), 1, v5});
  if (with_w6) {
    j.push_back({"W6-connection", "W6", "connection", connection_stream_loop, w6_packets, sz(5), 5, v5});
  }
  j.push_back({"W1-capi-decode", "W1", "capi-decode", capi_decode_loop, 1, sz(0), 0, v4});
  j.push_back({"W1-capi-encode", "W1", "capi-encode", capi_encode_loop, 1, sz(0), 0, v4});
  j.push_back({"W2-capi-decode", "W2", "capi-decode", capi_decode_loop, 1, sz(1), 1, v5});
  j.push_back({"W2-capi-encode", "W2", "capi-encode", capi_encode_loop, 1, sz(1), 1, v5});
  return j;
}

// Checks, once, that each job does what it claims: decodes its bytes back to the packet it
// was built from, encodes the same bytes, and (W3) header + payload == the whole packet.
void self_check() {
  const workloads& w = *g_w;
  auto roundtrip = [&](int i, const auto& src, protocol_version v) {
    packet p;
    const result<std::size_t> r = decode(bytes(w.wire[i]), v, p);
    if (!r || *r != w.wire[i].size()) die("self-check: W" + std::to_string(i + 1) + " does not decode whole");
    using P = std::decay_t<decltype(src)>;
    const P* x = std::get_if<P>(&p);
    if (x == nullptr || !(*x == src)) die("self-check: W" + std::to_string(i + 1) + " round trip differs");
  };
  roundtrip(0, w.w1, protocol_version::v3_1_1);
  roundtrip(1, w.w2, protocol_version::v5);
  roundtrip(2, w.w3, protocol_version::v3_1_1);
  roundtrip(3, w.w4, protocol_version::v5);
  roundtrip(4, w.w5, protocol_version::v5);
  std::uint8_t hdr[64];
  const result<std::size_t> h = encode_publish_header(w.w3, protocol_version::v3_1_1, hdr);
  if (!h || *h + w.w3.payload.size() != w.wire[2].size() || std::memcmp(hdr, w.wire[2].data(), *h) != 0) {
    die("self-check: W3 header + payload differs from the whole packet");
  }
  // The C API jobs: the C structs encode to the same bytes, which decode back to them.
  for (int i = 0; i < 2; ++i) {
    const mqttconn_packet& c = i == 0 ? g_capi->w1 : g_capi->w2;
    const int v = i == 0 ? MQTTCONN_V311 : MQTTCONN_V5;
    std::uint8_t out[1024];
    std::size_t n = 0, used = 0;
    if (mqttconn_encode(&c, v, out, sizeof out, &n) != MQTTCONN_OK || n != w.wire[i].size() ||
        std::memcmp(out, w.wire[i].data(), n) != 0) {
      die("self-check: W" + std::to_string(i + 1) + " through mqttconn_encode differs");
    }
    mqttconn_packet p;
    std::memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    if (mqttconn_decode(g_capi->dec, w.wire[i].data(), n, v, &used, &p) != MQTTCONN_OK || used != n ||
        p.qos != c.qos || p.packet_id != c.packet_id || p.topic.len != c.topic.len || p.payload.len != c.payload.len ||
        p.props->user_property_count != (c.props ? c.props->user_property_count : 0) ||
        fold_c(p) != fold(i == 0 ? w.w1 : w.w2)) {
      die("self-check: W" + std::to_string(i + 1) + " through mqttconn_decode differs");
    }
  }
}

struct outcome {
  const job* j;
  std::uint64_t iters;  // per repetition
  std::vector<double> ns_per_pkt;      // wall clock
  std::vector<double> cpu_ns_per_pkt;  // this thread's CPU time (robust to being descheduled)
  double median;
  double cpu_median;
  double allocs_per_pkt;
  std::uint64_t allocs;
  std::uint64_t checksum;
};

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

outcome measure(const job& j, int reps, double min_time) {
  outcome o{&j, 0, {}, {}, 0, 0, 0, 0, 0};
  // Calibrate (and warm up): grow n until a run takes >= min_time / 8.
  std::uint64_t n = 1;
  double t = 0;
  for (;;) {
    const auto t0 = clock_type::now();
    o.checksum += mqb_run_loop(&j, n);
    t = seconds_since(t0);
    if (t >= min_time / 8) break;
    n *= t < min_time / 1000 ? 16 : 2;
  }
  o.iters = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(n * (min_time * 1.05) / t + 1));
  o.checksum += mqb_run_loop(&j, std::max<std::uint64_t>(1, o.iters / 4));  // warm-up at size
  o.ns_per_pkt.reserve(static_cast<std::size_t>(reps));  // no allocation inside the count
  o.cpu_ns_per_pkt.reserve(static_cast<std::size_t>(reps));
  const std::uint64_t a0 = g_allocs;
  for (int r = 0; r < reps; ++r) {
    const double c0 = thread_cpu_seconds();
    const auto t0 = clock_type::now();
    o.checksum += mqb_run_loop(&j, o.iters);
    const double s = seconds_since(t0);
    const double c = thread_cpu_seconds() - c0;
    const double pk = static_cast<double>(o.iters * j.packets_per_iter);
    o.ns_per_pkt.push_back(s * 1e9 / pk);
    o.cpu_ns_per_pkt.push_back(c * 1e9 / pk);
  }
  o.allocs = g_allocs - a0;
  o.allocs_per_pkt = static_cast<double>(o.allocs) /
                     static_cast<double>(o.iters * j.packets_per_iter * static_cast<std::uint64_t>(reps));
  o.median = median_of(o.ns_per_pkt);
  o.cpu_median = median_of(o.cpu_ns_per_pkt);
  return o;
}

void write_file(const std::string& path, const std::vector<std::uint8_t>& b) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  if (!f) die("cannot write " + path);
}

void dump(const std::string& dir) {
  const char* names[6] = {"W1.bin", "W2.bin", "W3.bin", "W4.bin", "W5.bin", "W6.bin"};
  for (int i = 0; i < 6; ++i) write_file(dir + "/" + names[i], g_w->wire[i]);
  std::string m = "{\n  \"payload_pattern\": \"byte[i] = (i*31+7) & 0xff\",\n";
  m += "  \"W6_packets\": " + std::to_string(w6_packets) + ",\n";
  m += "  \"W6_pattern\": \"" + std::string(workloads::w6_pattern) + "\",\n  \"sizes\": {";
  for (int i = 0; i < 6; ++i) {
    m += (i ? ", " : "") + std::string("\"W") + std::to_string(i + 1) + "\": " + std::to_string(g_w->wire[i].size());
  }
  m += "}\n}\n";
  std::ofstream(dir + "/manifest.json") << m;
}

std::string fmt(const char* f, double x) {
  char b[64];
  std::snprintf(b, sizeof b, f, x);
  return b;
}

void usage() {
  std::fprintf(stderr,
               "usage: codec_bench [--json] [--reps N] [--min-time S] [--only JOB,...]\n"
               "       codec_bench --dump DIR\n"
               "       codec_bench --callgrind JOB N\n"
               "       codec_bench --list\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  bool json = false;
  int reps = 9;
  double min_time = 0.2;
  std::string only, dump_dir, cg_job;
  std::uint64_t cg_n = 0;
  bool list = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto arg = [&]() -> std::string {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (a == "--json") json = true;
    else if (a == "--reps") reps = std::max(1, std::atoi(arg().c_str()));
    else if (a == "--min-time") min_time = std::atof(arg().c_str());
    else if (a == "--only") only = "," + arg() + ",";
    else if (a == "--dump") dump_dir = arg();
    else if (a == "--list") list = true;
    else if (a == "--callgrind") {
      cg_job = arg();
      cg_n = std::strtoull(arg().c_str(), nullptr, 10);
    } else usage();
  }

  workloads w;
  g_w = &w;
  stream_decoder sd(protocol_version::v5);
  g_stream = &sd;
  const bool with_w6 = cg_job.empty() ? only.empty() || only.find(",W6-") != std::string::npos
                                       : cg_job.rfind("W6-", 0) == 0;
  connection server = connected(role::server, protocol_version::v5);
  connection client4 = connected(role::client, protocol_version::v3_1_1);
  connection client5 = connected(role::client, protocol_version::v5);
  g_server = &server;
  g_client4 = &client4;
  g_client5 = &client5;
  capi_workloads capi(w);
  g_capi = &capi;
  const std::vector<job> jobs = make_jobs(with_w6 || list || !dump_dir.empty());

  if (list) {
    for (const job& j : jobs) std::printf("%s\n", j.name.c_str());
    return 0;
  }
  if (!dump_dir.empty()) {
    dump(dump_dir);
    return 0;
  }
  if (!cg_job.empty()) {
    for (const job& j : jobs) {
      if (j.name != cg_job) continue;
      const std::uint64_t sum = mqb_run_loop(&j, cg_n);
      std::printf("%s iterations=%" PRIu64 " packets_per_iteration=%zu checksum=%" PRIu64 "\n",
                  j.name.c_str(), cg_n, j.packets_per_iter, sum);
      return 0;
    }
    die("no job named " + cg_job);
  }

  self_check();
  std::FILE* text = json ? stderr : stdout;
  report_idle(text);
  std::vector<outcome> results;
  for (const job& j : jobs) {
    if (!only.empty() && only.find("," + j.name + ",") == std::string::npos) continue;
    const outcome o = measure(j, reps, min_time);
    const double bpp = static_cast<double>(j.bytes_per_iter) / static_cast<double>(j.packets_per_iter);
    std::fprintf(text,
                 "%-3s %-6s %10.2f ns/pkt (cpu %.2f) %14.0f pkt/s %10.1f MB/s  allocs/pkt %.3g  (%zu B/iter, %.1f B/pkt, "
                 "%" PRIu64 " iters x %d reps, checksum %" PRIu64 ")\n",
                 j.workload.c_str(), j.direction.c_str(), o.median, o.cpu_median, 1e9 / o.median, bpp * 1e3 / o.median,
                 o.allocs_per_pkt, j.bytes_per_iter, bpp, o.iters, reps, o.checksum);
    std::fflush(text);
    results.push_back(o);
  }

  if (json) {
    std::string s = "{\n  \"impl\": \"mqttconn\",\n  \"unit\": \"ns_per_packet\",\n  \"results\": [\n";
    for (std::size_t k = 0; k < results.size(); ++k) {
      const outcome& o = results[k];
      const job& j = *o.j;
      const double bpp = static_cast<double>(j.bytes_per_iter) / static_cast<double>(j.packets_per_iter);
      s += "    {\"workload\": \"" + j.workload + "\", \"direction\": \"" + j.direction + "\"";
      s += ", \"median_ns_per_packet\": " + fmt("%.4f", o.median);
      s += ", \"median_cpu_ns_per_packet\": " + fmt("%.4f", o.cpu_median);
      s += ", \"packets_per_second\": " + fmt("%.1f", 1e9 / o.median);
      s += ", \"mb_per_second\": " + fmt("%.2f", bpp * 1e3 / o.median);
      s += ", \"bytes_per_packet\": " + fmt("%.2f", bpp);
      s += ", \"packets_per_iteration\": " + std::to_string(j.packets_per_iter);
      s += ", \"iterations_per_rep\": " + std::to_string(o.iters);
      s += ", \"allocations_per_packet\": " + fmt("%.6g", o.allocs_per_pkt);
      s += ", \"allocations\": " + std::to_string(o.allocs);
      s += ", \"reps_ns_per_packet\": [";
      for (std::size_t r = 0; r < o.ns_per_pkt.size(); ++r) s += (r ? ", " : "") + fmt("%.4f", o.ns_per_pkt[r]);
      s += "], \"reps_cpu_ns_per_packet\": [";
      for (std::size_t r = 0; r < o.cpu_ns_per_pkt.size(); ++r) {
        s += (r ? ", " : "") + fmt("%.4f", o.cpu_ns_per_pkt[r]);
      }
      s += "], \"checksum\": " + std::to_string(o.checksum) + "}";
      s += k + 1 < results.size() ? ",\n" : "\n";
    }
    s += "  ]\n}\n";
    std::fputs(s.c_str(), stdout);
  }
  return 0;
}
