#include "codec_helpers.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

TEST_CASE("W2-style PUBLISH round-trips at level 5") {
  const user_property ups[] = {{"a", "1"}, {"b", "2"}};
  publish p;
  p.qos = qos::at_least_once;
  p.packet_id = 42;
  p.topic = "devices/abc123/telemetry";
  p.props.set_message_expiry_interval(60);
  p.props.set_content_type("application/json");
  p.props.set_user_properties(ups);
  p.payload = bin("hello");
  auto bytes_ = encode_bytes(p, protocol_version::v5);
  REQUIRE(bytes_);
  auto d = decode_one(*bytes_, protocol_version::v5);
  REQUIRE_MESSAGE(d, (d ? "" : d.error().message()));
  CHECK(std::get<publish>(*d) == p);
  check_split_invariance(*bytes_, protocol_version::v5);
}
