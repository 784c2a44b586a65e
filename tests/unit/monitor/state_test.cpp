// The monitoring state: change detection rules (pure), the file format, and the state file's
// locking and atomic replacement.
#include <doctest/doctest.h>

#include <sys/file.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mailrep/monitor/state.hpp"

using namespace mailrep::monitor;

namespace {

Item listing(std::string list, std::string addr, std::string value = "127.0.0.2 spam") {
  return Item{ItemKind::listing, std::move(list), std::move(addr), std::move(value)};
}
Item finding(std::string id, std::string subject) { return Item{ItemKind::finding, std::move(id), std::move(subject), "title"}; }
Item record(std::string name, std::string value) { return Item{ItemKind::record, std::move(name), "", std::move(value)}; }

Observation obs(std::string target, std::vector<Item> present, std::vector<Unknown> unknown = {}) {
  Observation o;
  o.target = std::move(target);
  o.present = std::move(present);
  o.unknown = std::move(unknown);
  return o;
}

std::vector<std::string> kinds(const Update& u) {
  std::vector<std::string> out;
  for (const auto& c : u.changes) out.push_back(std::string(to_string(c.kind)) + " " + c.item.name);
  return out;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "mailrep-state-XXXXXX").string();
    REQUIRE(mkdtemp(t.data()) != nullptr);
    path = t;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

TEST_SUITE("monitor::state") {
  TEST_CASE("a listing appears then stays then is unknown then disappears") {
    State s;
    s.command = "ip";
    Update u1 = update(s, {obs("192.0.2.10", {listing("bl", "192.0.2.10")})}, 1000);
    CHECK(kinds(u1) == std::vector<std::string>{"new-listing bl"});
    REQUIRE(u1.next.entries.size() == 1);
    CHECK(u1.next.entries[0].first_seen == 1000);

    Update u2 = update(u1.next, {obs("192.0.2.10", {listing("bl", "192.0.2.10")})}, 2000);
    CHECK(u2.changes.empty());
    REQUIRE(u2.next.entries.size() == 1);
    CHECK(u2.next.entries[0].first_seen == 1000);
    CHECK(u2.next.entries[0].last_seen == 2000);

    // The list timed out: never a delisting; the entry is kept as it was.
    Update u3 = update(u2.next, {obs("192.0.2.10", {}, {Unknown{ItemKind::listing, "bl", "192.0.2.10", "timeout"}})}, 3000);
    REQUIRE(u3.changes.size() == 1);
    CHECK(u3.changes[0].kind == ChangeKind::still_unknown);
    CHECK(u3.changes[0].detail.find("timeout") != std::string::npos);
    CHECK(u3.changes[0].first_seen == 1000);
    CHECK(u3.changes[0].last_seen == 2000);
    REQUIRE(u3.next.entries.size() == 1);
    CHECK(u3.next.entries[0].last_seen == 2000);

    Update u4 = update(u3.next, {obs("192.0.2.10", {})}, 4000);
    CHECK(kinds(u4) == std::vector<std::string>{"delisting bl"});
    CHECK(u4.changes[0].first_seen == 1000);
    CHECK(u4.changes[0].last_seen == 2000);
    CHECK(u4.next.entries.empty());
  }

  TEST_CASE("an unfinished target keeps everything and says so") {
    State s;
    s.entries.push_back(Entry{"a.test", finding("spf.no-record", "a.test"), 10, 20});
    s.entries.push_back(Entry{"a.test", record("spf", "v=spf1 -all"), 10, 20});
    Observation o;
    o.target = "a.test";
    o.complete = false;
    o.unknown_reason = "deadline";
    Update u = update(s, {o}, 30);
    CHECK(kinds(u) == std::vector<std::string>{"still-unknown spf.no-record"});
    CHECK(u.next.entries.size() == 2);
  }

  TEST_CASE("findings are new or cleared or unknown by module prefix") {
    State s;
    s.entries.push_back(Entry{"a.test", finding("rdns.no-ptr", "192.0.2.1"), 10, 20});
    s.entries.push_back(Entry{"a.test", finding("dmarc.missing", "a.test"), 10, 20});
    Update u = update(s, {obs("a.test", {finding("spf.no-record", "a.test")},
                              {Unknown{ItemKind::finding, "rdns.*", "192.0.2.1", "PTR lookup timed out"}})},
                      30);
    CHECK(kinds(u) == std::vector<std::string>{"new-finding spf.no-record", "still-unknown rdns.no-ptr",
                                               "cleared-finding dmarc.missing"});
    CHECK(u.next.entries.size() == 2);
  }

  TEST_CASE("records store the first value silently and report changes (unknown keeps the value)") {
    State s;
    Update u1 = update(s, {obs("a.test", {record("spf", "v=spf1 -all")})}, 10);
    CHECK(u1.changes.empty());
    Update u2 = update(u1.next, {obs("a.test", {record("spf", "v=spf1 ~all")})}, 20);
    REQUIRE(u2.changes.size() == 1);
    CHECK(u2.changes[0].kind == ChangeKind::record_change);
    CHECK(u2.changes[0].detail == "v=spf1 -all -> v=spf1 ~all");
    Update u3 = update(u2.next, {obs("a.test", {}, {Unknown{ItemKind::record, "spf", "", "temperror"}})}, 30);
    CHECK(u3.changes.empty());
    REQUIRE(u3.next.entries.size() == 1);
    CHECK(u3.next.entries[0].item.value == "v=spf1 ~all");
  }

  TEST_CASE("targets not observed keep their entries") {
    State s;
    s.entries.push_back(Entry{"other.test", listing("bl", "192.0.2.9"), 10, 20});
    Update u = update(s, {obs("a.test", {})}, 30);
    CHECK(u.changes.empty());
    REQUIRE(u.next.entries.size() == 1);
    CHECK(u.next.entries[0].target == "other.test");
  }

  TEST_CASE("unknown patterns") {
    Item i = finding("rdns.no-ptr", "192.0.2.1");
    CHECK(Unknown{ItemKind::finding, "rdns.*", "", ""}.matches(i));
    CHECK(Unknown{ItemKind::finding, "", "192.0.2.1", ""}.matches(i));
    CHECK_FALSE(Unknown{ItemKind::finding, "spf.*", "", ""}.matches(i));
    CHECK_FALSE(Unknown{ItemKind::listing, "", "", ""}.matches(i));
    CHECK_FALSE(Unknown{ItemKind::finding, "rdns.*", "192.0.2.2", ""}.matches(i));
  }

  TEST_CASE("times are RFC 3339 UTC both ways") {
    CHECK(format_time(0) == "1970-01-01T00:00:00Z");
    CHECK(format_time(1714564800) == "2024-05-01T12:00:00Z");
    CHECK(parse_time("2024-05-01T12:00:00Z") == 1714564800);
    CHECK_FALSE(parse_time("2024-05-01 12:00:00").has_value());
    CHECK_FALSE(parse_time("2024-02-30T12:00:00Z").has_value());
  }

  TEST_CASE("change JSON and lines") {
    Change c{ChangeKind::new_listing, "192.0.2.0/30", listing("bl", "192.0.2.1"), "127.0.0.2 spam", 1714564800, 1714564800};
    auto j = change_json(c);
    CHECK(j["target"] == "192.0.2.0/30");
    CHECK(j["kind"] == "new-listing");
    CHECK(j["list"] == "bl");
    CHECK(j["address"] == "192.0.2.1");
    CHECK(j["detail"] == "127.0.0.2 spam");
    CHECK(j["first_seen"] == "2024-05-01T12:00:00Z");
    CHECK(j["last_seen"] == "2024-05-01T12:00:00Z");
    CHECK(change_line(c) == "NEW-LISTING 192.0.2.0/30 192.0.2.1 bl: 127.0.0.2 spam");
    Change f{ChangeKind::cleared_finding, "a.test", finding("spf.no-record", "a.test"), "no longer found|\nx", 0, 0};
    auto fj = change_json(f);
    CHECK(fj["finding"] == "spf.no-record");
    CHECK_FALSE(fj.contains("list"));
    std::string line = change_line(f);
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line.find('|') == std::string::npos);
  }

  TEST_CASE("state JSON round trip and refusals") {
    State s;
    s.command = "check";
    s.updated = 1714564800;
    s.entries.push_back(Entry{"a.test", listing("bl", "192.0.2.1"), 1, 2});
    s.entries.push_back(Entry{"a.test", record("spf", ""), 1, 2});
    auto back = from_json(to_json(s), "check");
    REQUIRE(back.has_value());
    CHECK(back->entries.size() == 2);
    CHECK(back->entries[0].item.subject == "192.0.2.1");
    CHECK(back->updated == s.updated);
    auto other = from_json(to_json(s), "ip");
    REQUIRE_FALSE(other.has_value());
    CHECK(other.error().message.find("belongs to `mailrep check`") != std::string::npos);
    CHECK_FALSE(from_json(nlohmann::json::parse(R"({"some":"thing"})"), "check").has_value());
    auto j = to_json(s);
    j["entries"][0]["kind"] = "weird";
    CHECK_FALSE(from_json(j, "check").has_value());
    j = to_json(s);
    j["version"] = 99;
    CHECK_FALSE(from_json(j, "check").has_value());
  }

  TEST_CASE("state file first run and reopen (corrupted and foreign files are left alone)") {
    TempDir dir;
    std::string path = (dir.path / "state.json").string();
    {
      auto f = StateFile::open(path, "ip", std::chrono::milliseconds(100));
      REQUIRE(f.has_value());
      CHECK((*f)->state().entries.empty());
      State s;
      s.command = "ip";
      s.updated = 5;
      s.entries.push_back(Entry{"192.0.2.1", listing("bl", "192.0.2.1"), 1, 2});
      REQUIRE((*f)->write(s).has_value());
    }
    {
      auto f = StateFile::open(path, "ip", std::chrono::milliseconds(100));
      REQUIRE(f.has_value());
      CHECK((*f)->state().entries.size() == 1);
    }
    // No temp file is left behind.
    std::size_t files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path)) files += e.path().filename().string().find(".tmp.") != std::string::npos;
    CHECK(files == 0);

    auto foreign = StateFile::open(path, "check", std::chrono::milliseconds(100));
    REQUIRE_FALSE(foreign.has_value());
    CHECK(foreign.error().message.find("belongs to `mailrep ip`") != std::string::npos);

    std::string garbage_path = (dir.path / "garbage.json").string();
    { std::ofstream(garbage_path) << "{ this is not json"; }
    auto bad = StateFile::open(garbage_path, "ip", std::chrono::milliseconds(100));
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message.find("corrupted") != std::string::npos);
    CHECK(slurp(garbage_path) == "{ this is not json");

    std::string other_path = (dir.path / "other.json").string();
    { std::ofstream(other_path) << R"({"hello": "world"})"; }
    auto other = StateFile::open(other_path, "ip", std::chrono::milliseconds(100));
    REQUIRE_FALSE(other.has_value());
    CHECK(other.error().message.find("not a mailrep state file") != std::string::npos);
    CHECK(slurp(other_path) == R"({"hello": "world"})");
  }

  TEST_CASE("state file - a second opener waits for the lock and then gives up clearly") {
    TempDir dir;
    std::string path = (dir.path / "state.json").string();
    auto first = StateFile::open(path, "ip", std::chrono::milliseconds(100));
    REQUIRE(first.has_value());
    auto t0 = std::chrono::steady_clock::now();
    auto second = StateFile::open(path, "ip", std::chrono::milliseconds(300));
    auto waited = std::chrono::steady_clock::now() - t0;
    REQUIRE_FALSE(second.has_value());
    CHECK(waited >= std::chrono::milliseconds(250));
    CHECK(second.error().message.find("in use by another mailrep run") != std::string::npos);
    first->reset();
    auto third = StateFile::open(path, "ip", std::chrono::milliseconds(100));
    CHECK(third.has_value());
  }
}
