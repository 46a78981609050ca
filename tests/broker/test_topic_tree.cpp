// Topic matching: the filter syntax of 3.1.1 §4.7 and 5.0 §4.7, as the broker's tree and
// topic_matches() apply it.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "session.hpp"
#include "topic_tree.hpp"

using namespace mqttbroker;

namespace {

struct case_ {
  const char* filter;
  const char* topic;
  bool match;
};

// Both matchers (the tree walk and topic_matches) must agree with the table.
void check_both(const case_& c) {
  CAPTURE(c.filter);
  CAPTURE(c.topic);
  CHECK(topic_matches(c.filter, c.topic) == c.match);
  topic_tree t;
  session* const who = reinterpret_cast<session*>(std::uintptr_t{0x10});
  t.add(c.filter, who, {});
  std::vector<const subscriber*> out;
  t.match(c.topic, out);
  CHECK(out.size() == (c.match ? 1u : 0u));
}

}  // namespace

TEST_SUITE("broker topic tree") {

TEST_CASE("literal filters match only the same topic, level by level") {
  for (const case_& c : {case_{"a/b", "a/b", true}, case_{"a/b", "a/c", false}, case_{"a/b", "a/b/c", false},
                         case_{"a/b/c", "a/b", false}, case_{"a", "a/", false}, case_{"a/", "a/", true},
                         case_{"/a", "/a", true}, case_{"/a", "a", false}, case_{"A", "a", false},
                         case_{"a//b", "a//b", true}, case_{"a//b", "a/b", false}}) {
    check_both(c);
  }
}

TEST_CASE("+ matches exactly one level, empty levels included (4.7.1.3)") {
  for (const case_& c : {case_{"+", "a", true}, case_{"+", "a/b", false}, case_{"a/+", "a/b", true},
                         case_{"a/+", "a", false}, case_{"a/+", "a/", true}, case_{"+/+", "/", true},
                         case_{"/+", "/finance", true}, case_{"+", "/finance", false},
                         case_{"a/+/c", "a/x/c", true}, case_{"a/+/c", "a/x/y/c", false},
                         case_{"+/b/+", "a/b/c", true}}) {
    check_both(c);
  }
}

TEST_CASE("# matches the parent level and every level below (4.7.1.2)") {
  for (const case_& c : {case_{"#", "a", true}, case_{"#", "a/b/c", true}, case_{"#", "/", true},
                         case_{"a/#", "a", true}, case_{"a/#", "a/b", true}, case_{"a/#", "a/b/c", true},
                         case_{"a/#", "ab", false}, case_{"a/#", "b/a", false}, case_{"a/+/#", "a/b", true},
                         case_{"a/+/#", "a", false}, case_{"+/#", "a", true}}) {
    check_both(c);
  }
}

TEST_CASE("wildcards in the first level do not match topics starting with $ [3.1.1 MQTT-4.7.2-1] [5.0 MQTT-4.7.2-1]") {
  for (const case_& c : {case_{"#", "$SYS/broker/load", false}, case_{"+/broker/load", "$SYS/broker/load", false},
                         case_{"+", "$SYS", false}, case_{"$SYS/#", "$SYS/broker/load", true},
                         case_{"$SYS/+/load", "$SYS/broker/load", true}, case_{"$SYS", "$SYS", true},
                         case_{"a/#", "a/$b", true}, case_{"+/$b", "a/$b", true}}) {
    check_both(c);
  }
}

TEST_CASE("a session subscribed with several matching filters appears once per filter") {
  topic_tree t;
  session* const a = reinterpret_cast<session*>(std::uintptr_t{0x10});
  session* const b = reinterpret_cast<session*>(std::uintptr_t{0x20});
  CHECK_FALSE(t.add("x/#", a, {.qos = 1}));
  CHECK_FALSE(t.add("x/+", a, {.qos = 2}));
  CHECK_FALSE(t.add("x/y", b, {}));
  CHECK(t.size() == 3);
  std::vector<const subscriber*> out;
  t.match("x/y", out);
  REQUIRE(out.size() == 3);
  CHECK(std::count_if(out.begin(), out.end(), [a](const subscriber* s) { return s->who == a; }) == 2);
  out.clear();
  t.match("x/y/z", out);
  REQUIRE(out.size() == 1);
  CHECK(out[0]->opts.qos == 1);
}

TEST_CASE("subscribing again to the same filter replaces the options [5.0 MQTT-3.8.4-3]") {
  topic_tree t;
  session* const a = reinterpret_cast<session*>(std::uintptr_t{0x10});
  CHECK_FALSE(t.add("x", a, {.qos = 0}));
  CHECK(t.add("x", a, {.qos = 2}));
  CHECK(t.size() == 1);
  std::vector<const subscriber*> out;
  t.match("x", out);
  REQUIRE(out.size() == 1);
  CHECK(out[0]->opts.qos == 2);
}

TEST_CASE("removing a subscription prunes it and leaves the others") {
  topic_tree t;
  session* const a = reinterpret_cast<session*>(std::uintptr_t{0x10});
  session* const b = reinterpret_cast<session*>(std::uintptr_t{0x20});
  t.add("x/y/z", a, {});
  t.add("x/y/z", b, {});
  t.add("x/#", a, {});
  CHECK(t.remove("x/y/z", a));
  CHECK_FALSE(t.remove("x/y/z", a));
  CHECK_FALSE(t.remove("x/y", a));
  CHECK_FALSE(t.remove("nothing/here", a));
  CHECK(t.size() == 2);
  std::vector<const subscriber*> out;
  t.match("x/y/z", out);
  CHECK(out.size() == 2);  // b on x/y/z, a on x/#
  CHECK(t.remove("x/#", a));
  CHECK(t.remove("x/y/z", b));
  CHECK(t.size() == 0);
  out.clear();
  t.match("x/y/z", out);
  CHECK(out.empty());
}

}  // TEST_SUITE
