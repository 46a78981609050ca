// The C API's exception firewall and allocator, seen from C++ (what C cannot do): an
// allocator callback that throws something other than std::bad_alloc becomes
// MQTTCONN_ERR_INTERNAL, std::bad_alloc becomes MQTTCONN_ERR_NOMEM, both fatal and sticky; and
// a whole conversation through the C API makes no allocation outside the caller's allocator
// (global operator new is counted).
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

#include "mqttconn.h"

namespace {
long g_news = 0;
}

void* operator new(std::size_t n) {
  ++g_news;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, std::align_val_t a) {
  ++g_news;
  const std::size_t al = static_cast<std::size_t>(a) < sizeof(void*) ? sizeof(void*) : static_cast<std::size_t>(a);
  if (void* p = std::aligned_alloc(al, (n + al - 1) / al * al + (n ? 0 : al))) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) { return operator new(n, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

struct counting {
  long allocs = 0;
  long live = 0;
  long throw_at = 0;  // 1-based; 0 never
  bool bad_alloc = false;
};

void* counted_alloc(std::size_t size, std::size_t align, void* user) {
  auto* c = static_cast<counting*>(user);
  if (++c->allocs == c->throw_at) {
    if (c->bad_alloc) throw std::bad_alloc();
    throw std::runtime_error("allocator broke");
  }
  ++c->live;
  return std::aligned_alloc(align < 16 ? 16 : align, (size + 15) / 16 * 16 + (align > 16 ? align : 0));
}

void counted_free(void* p, std::size_t, std::size_t, void* user) {
  --static_cast<counting*>(user)->live;
  std::free(p);
}

mqttconn_packet packet(int type) {
  mqttconn_packet p;
  std::memset(&p, 0, sizeof p);
  p.struct_size = sizeof p;
  p.type = type;
  return p;
}

mqttconn_bytes text(const char* s) { return {reinterpret_cast<const std::uint8_t*>(s), std::strlen(s)}; }

// Moves c's output into s, taking every event; returns the last code.
int move(mqttconn_conn* from, mqttconn_conn* to, std::uint8_t* wire, int& events) {
  mqttconn_bytes out;
  std::size_t len = 0;
  while (mqttconn_conn_output(from, &out) == MQTTCONN_OK) {
    std::memcpy(wire + len, out.ptr, out.len);
    len += out.len;
    mqttconn_conn_output_consume(from, out.len);
  }
  std::size_t pos = 0;
  while (pos < len) {
    std::size_t used = 0;
    const std::size_t chunk = len - pos < 3 ? len - pos : 3;
    if (const int rc = mqttconn_conn_receive(to, wire + pos, chunk, &used); rc != MQTTCONN_OK) return rc;
    pos += used;
    mqttconn_packet ev = packet(0);
    if (mqttconn_conn_next_event(to, &ev) == MQTTCONN_OK) ++events;
  }
  return MQTTCONN_OK;
}

}  // namespace

TEST_SUITE("capi firewall") {
  TEST_CASE("a conversation allocates only through the caller's allocator") {
    counting c;
    const mqttconn_allocator hooks{&c, counted_alloc, counted_free};
    static std::uint8_t wire[4096];
    const mqttconn_user_property ups[] = {{text("a"), text("1")}, {text("b"), text("2")}};
    int rcs[8] = {};
    int events = 0;
    const long news = g_news;
    {
      mqttconn_config* cfg = nullptr;
      mqttconn_conn *client = nullptr, *server = nullptr;
      mqttconn_decoder* dec = nullptr;
      rcs[0] = mqttconn_config_new(&cfg, &hooks);
      mqttconn_config_set_role(cfg, MQTTCONN_ROLE_SERVER);
      rcs[1] = mqttconn_conn_new(&client, nullptr, &hooks) | mqttconn_conn_new(&server, cfg, &hooks);
      rcs[2] = mqttconn_decoder_new(&dec, cfg, &hooks);
      mqttconn_config_free(cfg);
      mqttconn_packet p = packet(MQTTCONN_PACKET_CONNECT);
      p.protocol_version = MQTTCONN_V5;
      p.client_id = text("c");
      mqttconn_properties pr;
      std::memset(&pr, 0, sizeof pr);
      pr.struct_size = sizeof pr;
      pr.user_properties = ups;
      pr.user_property_count = 2;
      p.props = &pr;
      rcs[3] = mqttconn_conn_connect(client, &p) | move(client, server, wire, events);
      p = packet(MQTTCONN_PACKET_CONNACK);
      p.props = &pr;
      rcs[4] = mqttconn_conn_connack(server, &p) | move(server, client, wire, events);
      const mqttconn_subscription subs[] = {{text("a/+"), 1, 0, 0, 0}, {text("b/#"), 2, 1, 1, 2}};
      p = packet(MQTTCONN_PACKET_SUBSCRIBE);
      p.packet_id = 1;
      p.subscriptions = subs;
      p.subscription_count = 2;
      p.props = &pr;
      rcs[5] = mqttconn_conn_subscribe(client, &p) | move(client, server, wire, events);
      p = packet(MQTTCONN_PACKET_PUBLISH);
      p.topic = text("a/b");
      p.payload = text("hello");
      p.props = &pr;
      std::size_t n = 0, used = 0;
      rcs[6] = mqttconn_conn_publish(server, &p) | mqttconn_encode(&p, MQTTCONN_V5, wire, sizeof wire, &n);
      mqttconn_packet ev = packet(0);
      rcs[7] = move(server, client, wire + 1024, events) | mqttconn_decode(dec, wire, n, MQTTCONN_V5, &used, &ev);
      mqttconn_decoder_free(dec);
      mqttconn_conn_free(client);
      mqttconn_conn_free(server);
    }
    const long global = g_news - news;
    for (int rc : rcs) CHECK(rc == MQTTCONN_OK);
    CHECK(events == 4);
    CHECK(c.allocs > 0);
    CHECK(c.live == 0);
    CHECK(global == 0);
  }

  TEST_CASE("an exception other than bad_alloc is INTERNAL and sticky; bad_alloc is NOMEM") {
    for (const bool bad_alloc : {false, true}) {
      const int fatal = bad_alloc ? MQTTCONN_ERR_NOMEM : MQTTCONN_ERR_INTERNAL;
      counting c;
      c.bad_alloc = bad_alloc;
      const mqttconn_allocator hooks{&c, counted_alloc, counted_free};
      mqttconn_conn* client = nullptr;
      c.throw_at = 1;
      CHECK(mqttconn_conn_new(&client, nullptr, &hooks) == fatal);  // the handle itself
      CHECK(client == nullptr);
      REQUIRE(mqttconn_conn_new(&client, nullptr, &hooks) == MQTTCONN_OK);
      c.throw_at = c.allocs + 1;
      mqttconn_packet p = packet(MQTTCONN_PACKET_CONNECT);
      p.protocol_version = MQTTCONN_V311;
      p.client_id = text("c");
      CHECK(mqttconn_conn_connect(client, &p) == fatal);
      CHECK(mqttconn_is_fatal(fatal));
      CHECK(mqttconn_conn_connect(client, &p) == fatal);
      CHECK(mqttconn_conn_state(client) == fatal);
      mqttconn_error e;
      std::memset(&e, 0, sizeof e);
      e.struct_size = sizeof e;
      CHECK(mqttconn_conn_last_error(client, &e) == fatal);
      CHECK(e.code == fatal);
      mqttconn_conn_free(client);
      CHECK(c.live == 0);

      mqttconn_decoder* dec = nullptr;
      c.throw_at = c.allocs + 1;
      CHECK(mqttconn_decoder_new(&dec, nullptr, &hooks) == fatal);
      CHECK(dec == nullptr);
      mqttconn_config* cfg = nullptr;
      c.throw_at = c.allocs + 1;
      CHECK(mqttconn_config_new(&cfg, &hooks) == fatal);
      CHECK(cfg == nullptr);
      CHECK(c.live == 0);
    }
  }
}
