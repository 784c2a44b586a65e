#pragma once
/// \file The openspf/pyspf SPF conformance suites (YAML) as data: scenarios, zone data, cases.
///
/// Reading rules (shared/conformance/spf/README.md):
///  - `SPF:` records also stand for TXT records unless the name lists `TXT:` records of its own
///    (`TXT: NONE` = no TXT record). Only TXT is ever queried by RFC 7208 code.
///  - a bare `TIMEOUT` entry: queries for the name that no record answers time out. Here: every
///    common type without records at that name.
///  - `"\xEF\xBB\xBF"` in YAML double quotes stands for raw bytes. yaml-cpp turns \xNN into the
///    code point U+00NN (UTF-8 encoded), so strings whose code points are all below 256 are
///    turned back into those bytes.
///  - TXT strings longer than 255 bytes are split into 255-byte character-strings.
/// Header-only; needs yaml-cpp.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "mailrep/dns/resolver.hpp"
#include "mailrep/util/ip.hpp"

namespace mailrep::test::spf_suite {

struct Case {
  std::string scenario;
  std::string name;
  std::string spec;
  std::string helo;
  std::string host;
  std::string mailfrom;
  std::vector<std::string> results;        ///< acceptable results, preferred first
  std::optional<std::string> explanation;  ///< "DEFAULT" = the implementation's default (ours: none)
};

struct Zone {
  std::vector<dns::Record> records;
  struct Timeout {
    std::string name;
    std::vector<dns::RrType> types;  ///< the types without records at that name
  };
  std::vector<Timeout> timeouts;
};

struct Scenario {
  std::string description;
  Zone zone;
  std::vector<Case> cases;
};

/// UTF-8 with all code points < 256 -> those bytes; anything else is returned unchanged.
inline std::string yaml_bytes(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) {
      out += static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F));
      ++i;
    } else {
      return s;
    }
  }
  return out;
}

inline std::string lower_name(std::string s) {
  if (!s.empty() && s.back() == '.') s.pop_back();
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

inline std::vector<std::string> split_255(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size(); i += 255) out.push_back(text.substr(i, 255));
  return out;
}

inline dns::Record txt_record(const std::string& owner, dns::RrType type, const YAML::Node& value) {
  dns::Record r;
  r.owner = owner;
  r.type = type;
  r.ttl = 300;
  if (value.IsSequence()) {
    for (const auto& part : value) {
      auto piece = yaml_bytes(part.as<std::string>());
      for (auto& s : split_255(piece)) r.strings.push_back(std::move(s));
      r.text += piece;
    }
  } else {
    r.text = yaml_bytes(value.as<std::string>());
    r.strings = split_255(r.text);
  }
  return r;
}

/// Fills `zone` from one scenario's `zonedata`. Returns false (with `error`) on a shape it does not know.
inline bool load_zone(const YAML::Node& zonedata, Zone& zone, std::string& error) {
  for (const auto& entry : zonedata) {
    const std::string owner = lower_name(yaml_bytes(entry.first.as<std::string>()));
    std::vector<dns::Record> spf, txt, other;
    bool txt_listed = false, timeout = false;
    for (const auto& item : entry.second) {
      if (item.IsScalar()) {
        if (item.as<std::string>() == "TIMEOUT") {
          timeout = true;
          continue;
        }
        error = owner + ": unknown entry " + item.as<std::string>();
        return false;
      }
      for (const auto& kv : item) {
        const std::string type = kv.first.as<std::string>();
        const YAML::Node& v = kv.second;
        if (type == "SPF" || type == "TXT") {
          if (type == "TXT") txt_listed = true;
          if (v.IsScalar() && v.as<std::string>() == "NONE") continue;
          (type == "SPF" ? spf : txt).push_back(txt_record(owner, type == "SPF" ? dns::RrType::spf : dns::RrType::txt, v));
        } else if (type == "A" || type == "AAAA") {
          dns::Record r;
          r.owner = owner;
          r.ttl = 300;
          auto ip = util::IpAddress::parse(v.as<std::string>());
          if (!ip) {
            error = owner + ": bad address " + v.as<std::string>();
            return false;
          }
          r.type = ip->is_v4() ? dns::RrType::a : dns::RrType::aaaa;
          r.address = *ip;
          r.text = ip->to_string();
          other.push_back(std::move(r));
        } else if (type == "MX") {
          dns::Record r;
          r.owner = owner;
          r.ttl = 300;
          r.type = dns::RrType::mx;
          r.priority = static_cast<std::uint16_t>(v[0].as<int>());
          r.text = lower_name(yaml_bytes(v[1].as<std::string>()));
          other.push_back(std::move(r));
        } else if (type == "PTR" || type == "CNAME") {
          dns::Record r;
          r.owner = owner;
          r.ttl = 300;
          r.type = type == "PTR" ? dns::RrType::ptr : dns::RrType::cname;
          r.text = lower_name(yaml_bytes(v.as<std::string>()));
          other.push_back(std::move(r));
        } else {
          error = owner + ": unsupported record type " + type;
          return false;
        }
      }
    }
    // SPF records stand for TXT records unless the name lists TXT records of its own.
    if (!txt_listed) {
      for (const auto& r : spf) {
        dns::Record t = r;
        t.type = dns::RrType::txt;
        txt.push_back(std::move(t));
      }
    }
    for (auto& r : spf) zone.records.push_back(std::move(r));
    for (auto& r : txt) zone.records.push_back(std::move(r));
    for (auto& r : other) zone.records.push_back(std::move(r));
    if (timeout) {
      Zone::Timeout t;
      t.name = owner;
      for (auto type : {dns::RrType::a, dns::RrType::aaaa, dns::RrType::mx, dns::RrType::txt, dns::RrType::ptr,
                        dns::RrType::spf, dns::RrType::cname}) {
        bool has = false;
        for (const auto& r : zone.records)
          if (r.owner == owner && r.type == type) has = true;
        if (!has) t.types.push_back(type);
      }
      zone.timeouts.push_back(std::move(t));
    }
  }
  return true;
}

/// Loads every scenario of one suite file. Empty with `error` set on failure.
inline std::vector<Scenario> load(const std::string& path, std::string& error) {
  std::vector<Scenario> out;
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAllFromFile(path);
  } catch (const std::exception& e) {
    error = path + ": " + e.what();
    return {};
  }
  for (const auto& doc : docs) {
    Scenario sc;
    sc.description = doc["description"].as<std::string>();
    if (!load_zone(doc["zonedata"], sc.zone, error)) {
      error = sc.description + ": " + error;
      return {};
    }
    for (const auto& t : doc["tests"]) {
      Case c;
      c.scenario = sc.description;
      c.name = t.first.as<std::string>();
      const YAML::Node& n = t.second;
      if (n["spec"] && n["spec"].IsScalar()) {
        c.spec = n["spec"].as<std::string>();
      } else if (n["spec"] && n["spec"].IsSequence()) {
        for (const auto& s : n["spec"]) c.spec += (c.spec.empty() ? "" : ", ") + s.as<std::string>();
      }
      c.helo = yaml_bytes(n["helo"].as<std::string>());
      c.host = n["host"].as<std::string>();
      c.mailfrom = yaml_bytes(n["mailfrom"].as<std::string>());
      if (n["result"].IsSequence()) {
        for (const auto& r : n["result"]) c.results.push_back(r.as<std::string>());
      } else {
        c.results.push_back(n["result"].as<std::string>());
      }
      if (n["explanation"]) c.explanation = n["explanation"].as<std::string>();
      sc.cases.push_back(std::move(c));
    }
    out.push_back(std::move(sc));
  }
  return out;
}

/// Compares an outcome with the case. Any listed result is accepted (the first is the preferred
/// one); "DEFAULT" explanations mean "no exp= text" for mailrep. `why` says what differs.
inline bool matches(const Case& c, const std::string& result, const std::string& explanation, std::string& why) {
  bool result_ok = false;
  for (const auto& r : c.results)
    if (r == result) result_ok = true;
  bool exp_ok = true;
  if (c.explanation) exp_ok = *c.explanation == "DEFAULT" ? explanation.empty() : explanation == *c.explanation;
  why.clear();
  if (!result_ok) {
    why = "result " + result + ", expected";
    for (const auto& r : c.results) why += " " + r;
  }
  if (!exp_ok) {
    if (!why.empty()) why += "; ";
    why += "explanation '" + explanation + "', expected '" + *c.explanation + "'";
  }
  return result_ok && exp_ok;
}

}  // namespace mailrep::test::spf_suite
