// The output queue: partial writes, writev segments, borrowed PUBLISH payloads, max_output.
#include <array>
#include <deque>

#include "conversation.hpp"
#include "counting_resource.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

using pv = protocol_version;

std::vector<std::uint8_t> pattern(std::size_t n, std::uint8_t seed) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed + i * 7);
  return v;
}

publish make_publish(std::string_view topic, const std::vector<std::uint8_t>& payload, std::uint16_t id = 0) {
  publish p;
  p.topic = topic;
  p.payload = binary(payload.data(), payload.size());
  if (id != 0) p.qos = qos::at_least_once, p.packet_id = id;
  return p;
}

// True if `seg` lies (partly) in the memory of `v`.
bool overlaps(bytes seg, const std::vector<std::uint8_t>& v) {
  const auto a = reinterpret_cast<std::uintptr_t>(seg.data());
  const auto b = reinterpret_cast<std::uintptr_t>(v.data());
  return a < b + v.size() && b < a + seg.size();
}

// Every queued byte, read through output_segments() without consuming anything.
std::vector<std::uint8_t> queued_bytes(const connection& c, std::size_t* segments = nullptr) {
  std::array<bytes, 256> segs;
  const std::size_t n = c.output_segments(segs);
  REQUIRE(n < segs.size());
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < n; ++i) out.insert(out.end(), segs[i].begin(), segs[i].end());
  if (segments != nullptr) *segments = n;
  return out;
}

// A client's queue with copied and borrowed payloads (borrow_payloads_from = 40), packets of
// several kinds, and the bytes they encode to, in order.
struct sample {
  std::vector<std::uint8_t> small = pattern(10, 1), big = pattern(100, 2), edge = pattern(40, 3), under = pattern(39, 4);
  std::vector<packet> packets;
  const subscription subs[2] = {{"a/+", qos::at_least_once}, {"b/#", qos::exactly_once}};

  sample() {
    connect c = plain_connect(pv::v5);
    c.props.set_session_expiry_interval(30).set_receive_maximum(5);
    subscribe s;
    s.packet_id = 3;
    s.subscriptions = subs;
    packets = {c, make_publish("q/small", small), make_publish("q/big", big, 1), make_publish("q/edge", edge, 2),
               make_publish("q/under", under), s, pingreq{}, make_publish("q/big-again", big), disconnect{}};
  }
  static connection_options options() {
    connection_options o = client_options();
    o.borrow_payloads_from = 40;
    return o;
  }
  std::vector<std::uint8_t> expected() const {
    std::vector<std::uint8_t> all;
    for (const packet& p : packets) {
      const std::vector<std::uint8_t> e = encoded(p, pv::v5);
      all.insert(all.end(), e.begin(), e.end());
    }
    return all;
  }
  // Sends every packet; after each one the transport takes up to `write_size` bytes into `out`.
  void send_all(connection& c, std::vector<std::uint8_t>* out = nullptr, std::size_t write_size = 0) const {
    for (const packet& p : packets) {
      REQUIRE(c.send(p));
      for (std::size_t left = write_size; out != nullptr && left > 0 && c.output_size() > 0;) {
        const bytes b = c.output();
        const std::size_t n = std::min(left, b.size());
        out->insert(out->end(), b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n));
        c.consume_output(n);
        left -= n;
      }
    }
  }
};

struct snapshot {
  std::vector<std::uint8_t> bytes;
  std::size_t size = 0;
  std::size_t segments = 0;
  connection_state state = connection_state::idle;
  friend bool operator==(const snapshot&, const snapshot&) = default;
};

snapshot snap(const connection& c) {
  snapshot s;
  s.bytes = queued_bytes(c, &s.segments);
  s.size = c.output_size();
  s.state = c.state();
  return s;
}

}  // namespace

TEST_SUITE("conn output") {

TEST_CASE("output drained in writes of every size gives the same bytes as one write") {
  const sample smp;
  const std::vector<std::uint8_t> want = smp.expected();
  connection once(sample::options());
  smp.send_all(once);
  CHECK(once.output_size() == want.size());
  CHECK(drain(once) == want);
  CHECK(once.output_size() == 0);
  CHECK(once.output().empty());
  std::size_t bad = 0;
  for (std::size_t w = 1; w <= want.size(); ++w) {
    connection c(sample::options());
    smp.send_all(c);
    if (drain(c, w) != want && bad++ == 0) MESSAGE("first failing write size " << w);
  }
  CHECK(bad == 0);
}

TEST_CASE("writes of every size between sends give the bytes in the order they were sent") {
  const sample smp;
  const std::vector<std::uint8_t> want = smp.expected();
  std::size_t bad = 0;
  for (std::size_t w = 1; w <= want.size(); ++w) {
    connection c(sample::options());
    std::vector<std::uint8_t> got;
    smp.send_all(c, &got, w);
    const std::vector<std::uint8_t> rest = drain(c, w);
    got.insert(got.end(), rest.begin(), rest.end());
    if (got != want && bad++ == 0) MESSAGE("first failing write size " << w);
  }
  CHECK(bad == 0);
}

TEST_CASE("output_segments gives the same bytes as output and consume_output after any amount written") {
  const sample smp;
  const std::vector<std::uint8_t> want = smp.expected();
  for (std::size_t k = 0; k <= want.size(); ++k) {
    CAPTURE(k);
    connection c(sample::options());
    smp.send_all(c);
    c.consume_output(k);
    std::size_t n = 0;
    const std::vector<std::uint8_t> segs = queued_bytes(c, &n);
    REQUIRE(segs.size() == want.size() - k);
    CHECK(std::equal(segs.begin(), segs.end(), want.begin() + static_cast<std::ptrdiff_t>(k)));
    CHECK(c.output_size() == want.size() - k);
    if (k == 0) CHECK(n >= 7);  // three borrowed payloads, each between copied runs
    std::array<bytes, 1> first;
    CHECK(c.output_segments(std::span<bytes>(first.data(), 0)) == 0);
    if (k == want.size()) {
      CHECK(n == 0);
      CHECK(c.output_segments(first) == 0);
      CHECK(c.output().empty());
      continue;
    }
    REQUIRE(c.output_segments(first) == 1);
    CHECK(first[0].data() == c.output().data());
    CHECK(first[0].size() == c.output().size());
    CHECK(drain(c) == std::vector<std::uint8_t>(want.begin() + static_cast<std::ptrdiff_t>(k), want.end()));
  }
}

TEST_CASE("a PUBLISH payload of borrow_payloads_from bytes is referenced and one byte shorter is copied") {
  for (const pv v : {pv::v3_1, pv::v3_1_1, pv::v5}) {
    CAPTURE(static_cast<int>(v));
    connection c = make_client();  // default threshold: 16384
    REQUIRE(c.connect(plain_connect(v)));
    drain(c);
    const std::vector<std::uint8_t> at = pattern(connection_options{}.borrow_payloads_from, 9);
    const std::vector<std::uint8_t> below = pattern(connection_options{}.borrow_payloads_from - 1, 11);
    const publish p = make_publish("big/at", at, 5);
    const publish q = make_publish("big/below", below, 6);
    REQUIRE(c.publish(p));
    REQUIRE(c.publish(q));
    std::array<bytes, 8> segs;
    const std::size_t n = c.output_segments(segs);
    std::size_t borrowed = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (segs[i].data() == at.data()) {
        ++borrowed;
        CHECK(segs[i].size() == at.size());
      }
      CHECK_FALSE(overlaps(segs[i], below));  // the shorter payload is in the queue's own buffer
    }
    CHECK(borrowed == 1);
    std::vector<std::uint8_t> want = encoded(p, v);
    const std::vector<std::uint8_t> second = encoded(q, v);
    want.insert(want.end(), second.begin(), second.end());
    CHECK(queued_bytes(c) == want);
    CHECK(c.output_size() == want.size());
    CHECK(drain(c, 1000) == want);
  }
}

TEST_CASE("borrow_payloads_from 0 copies every payload") {
  connection_options o = client_options();
  o.borrow_payloads_from = 0;
  connection c(o);
  REQUIRE(c.connect(plain_connect(pv::v5)));
  const std::vector<std::uint8_t> big = pattern(70000, 5);
  const publish p = make_publish("copied", big);
  REQUIRE(c.publish(p));
  std::array<bytes, 8> segs;
  const std::size_t n = c.output_segments(segs);
  for (std::size_t i = 0; i < n; ++i) {
    CHECK_FALSE(overlaps(segs[i], big));
  }
  std::vector<std::uint8_t> want = encoded(plain_connect(pv::v5), pv::v5);
  const std::vector<std::uint8_t> pub = encoded(p, pv::v5);
  want.insert(want.end(), pub.begin(), pub.end());
  CHECK(drain(c) == want);
}

TEST_CASE("a queue that is never fully drained keeps its bytes in order") {
  for (const std::size_t backlog : {1u, 5u, 33u}) {
    CAPTURE(backlog);
    connection_options o = client_options();
    o.borrow_payloads_from = 16;
    connection c(o);
    std::deque<std::vector<std::uint8_t>> payloads;  // kept until the end: borrowed ones are read late
    std::vector<std::uint8_t> want = encoded(plain_connect(pv::v5), pv::v5);
    std::vector<std::uint8_t> got;
    REQUIRE(c.connect(plain_connect(pv::v5)));
    for (std::size_t i = 0; i < 300; ++i) {
      const std::vector<std::uint8_t>& payload = payloads.emplace_back(pattern(8 + (i * 13) % 40, static_cast<std::uint8_t>(i)));
      const publish p = make_publish(i % 3 == 0 ? "t" : "topic/longer", payload, static_cast<std::uint16_t>(i % 2 == 0 ? 0 : i));
      REQUIRE(c.publish(p));
      const std::vector<std::uint8_t> e = encoded(p, pv::v5);
      want.insert(want.end(), e.begin(), e.end());
      // Write all but `backlog` bytes, in pieces that stop inside segments.
      while (c.output_size() > backlog) {
        const bytes b = c.output();
        const std::size_t n = std::min({b.size(), c.output_size() - backlog, std::size_t{11}});
        got.insert(got.end(), b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n));
        c.consume_output(n);
      }
      REQUIRE(c.output_size() == backlog);
      REQUIRE(queued_bytes(c) == std::vector<std::uint8_t>(want.end() - static_cast<std::ptrdiff_t>(backlog), want.end()));
    }
    const std::vector<std::uint8_t> rest = drain(c);
    got.insert(got.end(), rest.begin(), rest.end());
    CHECK(got == want);
  }
}

TEST_CASE("a queue that is never fully drained does not grow beyond its backlog") {
  // A loop that always leaves a few bytes unwritten must not hold every byte it ever queued:
  // the written front is reclaimed even though the queue never empties.
  counting_resource mr;
  connection_options o = client_options();
  o.borrow_payloads_from = 0;  // every payload copied into the queue
  connection c(o, &mr);
  REQUIRE(c.connect(plain_connect(pv::v5)));
  const std::vector<std::uint8_t> payload = pattern(100, 1);
  std::size_t sent = 0, peak_early = 0;
  for (std::size_t i = 0; i < 5000; ++i) {
    if (i == 500) peak_early = mr.bytes_peak;
    REQUIRE(c.publish(make_publish("t", payload)));
    while (c.output_size() > 3) {
      const bytes b = c.output();
      const std::size_t n = std::min(b.size(), c.output_size() - 3);
      sent += n;
      c.consume_output(n);
    }
  }
  CHECK(sent > 5000 * payload.size());
  CHECK(mr.bytes_peak == peak_early);  // no growth after the first 500 packets
  CHECK(mr.bytes_peak < 8192);         // a few dozen packets' worth, not the 500 KB that went through
}

TEST_CASE("a send that would pass max_output fails with output_full and leaves the queue unchanged") {
  const connect c = plain_connect(pv::v5);
  const std::vector<std::uint8_t> small = pattern(20, 1);
  const std::vector<std::uint8_t> big = pattern(64, 2);
  const publish p = make_publish("full/small", small, 1);
  const publish b = make_publish("full/big", big, 2);
  const std::size_t connect_size = encoded(c, pv::v5).size();
  const std::size_t publish_size = encoded(p, pv::v5).size();
  connection_options o = client_options();
  o.borrow_payloads_from = 32;
  o.max_output = connect_size + 2 * publish_size + 1;
  connection client(o);
  REQUIRE(client.connect(c));
  REQUIRE(client.publish(p));
  REQUIRE(client.publish(p));
  REQUIRE(client.output_size() == o.max_output - 1);
  const snapshot before = snap(client);
  auto refused = [&](const result<void>& r, errc code) {
    REQUIRE(!r);
    CHECK(r.error().code == code);
    CHECK(snap(client) == before);
  };
  refused(client.publish(p), errc::output_full);
  refused(client.publish(b), errc::output_full);  // borrowed payloads count too
  refused(client.pingreq(), errc::output_full);
  refused(client.disconnect(), errc::output_full);  // and the client stays connecting
  refused(client.send(packet(p)), errc::output_full);
  refused(client.connack(connack{}), errc::wrong_state);
  CHECK(client.state() == connection_state::connecting);
  client.consume_output(1);  // room for exactly a PINGREQ (2 bytes)
  REQUIRE(client.pingreq());
  CHECK(client.output_size() == o.max_output);
  const snapshot full = snap(client);
  const result<void> r = client.disconnect();
  REQUIRE(!r);
  CHECK(r.error().code == errc::output_full);
  CHECK(snap(client) == full);
  CHECK_FALSE(client.closed());
  std::vector<std::uint8_t> want = encoded(c, pv::v5);
  for (const packet& x : {packet(p), packet(p), packet(pingreq{})}) {
    const std::vector<std::uint8_t> e = encoded(x, pv::v5);
    want.insert(want.end(), e.begin(), e.end());
  }
  CHECK(std::equal(full.bytes.begin(), full.bytes.end(), want.begin() + 1));
  CHECK(drain(client) == std::vector<std::uint8_t>(want.begin() + 1, want.end()));
  REQUIRE(client.disconnect());
  CHECK(client.closed());
}

TEST_CASE("a send refused by the encoder or the peer's Maximum Packet Size leaves the queue unchanged") {
  live_run pr = run_live(handshake(pv::v5));
  connack limit;  // a second client whose server accepts packets of at most 64 bytes
  limit.props.set_maximum_packet_size(64);
  live_run small = run_live({{true, plain_connect(pv::v5)}, {false, limit}});
  const std::vector<std::uint8_t> body = pattern(100, 3);
  REQUIRE(pr.client.pingreq());
  REQUIRE(small.client.pingreq());
  for (connection* c : {&pr.client, &small.client}) {
    const snapshot before = snap(*c);
    const result<void> no_id = c->publish(make_pub("x", qos::at_least_once, 0, binary(body.data(), 1)));
    REQUIRE(!no_id);
    CHECK(no_id.error().code == errc::invalid_packet);  // QoS 1 needs a packet identifier
    CHECK(snap(*c) == before);
  }
  const result<void> big = small.client.publish(make_publish("too/big", body));
  REQUIRE(!big);
  CHECK(big.error().code == errc::invalid_packet);
  CHECK(big.error().reason_code == reason::packet_too_large);
  CHECK(small.client.output_size() == 2);
  REQUIRE(pr.client.publish(make_publish("too/big", body)));  // no limit on the first one
}

TEST_CASE("a CONNECT refused for a full queue leaves the client idle") {
  const connect c = plain_connect(pv::v3_1_1);
  connection_options o = client_options();
  o.max_output = encoded(c, pv::v3_1_1).size() - 1;
  connection client(o);
  const result<void> r = client.connect(c);
  REQUIRE(!r);
  CHECK(r.error().code == errc::output_full);
  CHECK(client.state() == connection_state::idle);
  CHECK(client.output_size() == 0);
  const result<void> ping = client.pingreq();
  REQUIRE(!ping);
  CHECK(ping.error().code == errc::wrong_state);  // still before CONNECT [MQTT-3.1.0-1]
}

TEST_CASE("a CONNACK refused for a full queue leaves the server connecting") {
  for (const pv v : {pv::v3_1, pv::v3_1_1, pv::v5}) {
    CAPTURE(static_cast<int>(v));
    connection client = make_client();
    connection_options o = server_options();
    o.max_output = encoded(connack{}, v).size() - 1;
    connection server(o);
    REQUIRE(client.connect(plain_connect(v)));
    transfer_one<connect>(client, server, [](const connect&) {});
    const result<void> r = server.connack(connack{});
    REQUIRE(!r);
    CHECK(r.error().code == errc::output_full);
    CHECK(server.state() == connection_state::connecting);
    CHECK(server.output_size() == 0);
  }
}

}  // TEST_SUITE
