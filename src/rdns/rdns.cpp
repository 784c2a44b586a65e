#include "mailrep/rdns/rdns.hpp"

#include "mailrep/util/text.hpp"

namespace mailrep::rdns {

std::string_view to_string(Fcrdns f) {
  switch (f) {
    case Fcrdns::confirmed: return "confirmed";
    case Fcrdns::not_confirmed: return "not-confirmed";
    case Fcrdns::no_ptr: return "no-ptr";
    case Fcrdns::unknown: return "unknown";
  }
  return "unknown";
}

io::Task<RdnsResult> check(dns::Resolver& resolver, util::IpAddress address) {
  RdnsResult out;
  out.address = address;
  auto ptr_task = resolver.lookup(dns::Query{address.ptr_name(), dns::RrType::ptr});
  dns::Answer ptr = co_await ptr_task;
  out.ptr_outcome = ptr.outcome;
  if (ptr.outcome == dns::Outcome::nxdomain || ptr.outcome == dns::Outcome::nodata) {
    out.fcrdns = Fcrdns::no_ptr;
    co_return out;
  }
  if (ptr.outcome != dns::Outcome::answer) {
    out.fcrdns = Fcrdns::unknown;
    out.error = "PTR lookup: " + std::string(dns::to_string(ptr.outcome)) + (ptr.detail.empty() ? "" : " (" + ptr.detail + ")");
    co_return out;
  }
  std::vector<io::Task<dns::Answer>> forward;
  std::vector<std::string> names;
  for (const auto& rec : ptr.records) {
    if (names.size() >= 10) break;
    names.push_back(util::sanitize(rec.text, 260));
    forward.push_back(resolver.lookup(dns::Query{rec.text, address.is_v4() ? dns::RrType::a : dns::RrType::aaaa}));
  }
  out.ptr = names;
  bool unknown = false;
  for (std::size_t i = 0; i < forward.size(); ++i) {
    auto& pending = forward[i];
    dns::Answer a = co_await pending;
    if (a.outcome == dns::Outcome::answer) {
      for (const auto& rec : a.records)
        if (rec.address == address) {
          out.confirmed.push_back(names[i]);
          break;
        }
    } else if (!a.is_fact()) {
      unknown = true;
      if (out.error.empty()) out.error = "forward lookup of " + names[i] + ": " + std::string(dns::to_string(a.outcome));
    }
  }
  if (!out.confirmed.empty()) out.fcrdns = Fcrdns::confirmed;
  else out.fcrdns = unknown ? Fcrdns::unknown : Fcrdns::not_confirmed;
  co_return out;
}

std::string generic_name_reason(const std::string& ptr_name, const util::IpAddress& address) {
  std::string name = util::lower(ptr_name);
  if (address.is_v4()) {
    const auto& b = address.bytes();
    auto dec = [](unsigned v) {
      std::string s;
      if (v >= 100) s += static_cast<char>('0' + v / 100);
      if (v >= 10) s += static_cast<char>('0' + (v / 10) % 10);
      s += static_cast<char>('0' + v % 10);
      return s;
    };
    std::string o0 = dec(b[0]), o1 = dec(b[1]), o2 = dec(b[2]), o3 = dec(b[3]);
    // The address written into the name, in either order and with the usual separators.
    for (const char* sep : {"-", ".", "_", ""}) {
      std::string fwd = o0 + sep + o1 + sep + o2 + sep + o3;
      std::string rev = o3 + sep + o2 + sep + o1 + sep + o0;
      if ((std::string(sep).size() || fwd.size() > 8) &&
          (name.find(fwd) != std::string::npos || name.find(rev) != std::string::npos))
        return "contains the address digits";
    }
    // Hex form, e.g. c0000263.
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string hex;
    for (int i = 0; i < 4; ++i) {
      hex += k_hex[b[static_cast<std::size_t>(i)] >> 4];
      hex += k_hex[b[static_cast<std::size_t>(i)] & 0xF];
    }
    if (name.find(hex) != std::string::npos) return "contains the address in hex";
  }
  // Words that mark dial-up, dynamic or default names (T-Online's (DIAL) tag, Spamhaus PBL practice).
  static const char* const k_words[] = {"dyn", "dynamic", "pool", "dsl", "adsl", "vdsl", "dial", "dialup", "ppp",
                                        "cable", "dhcp", "client", "customer", "cust", "broadband", "static",
                                        "unassigned", "generic", "host-", "ip-", "nat", "user", "residential"};
  auto labels = util::split(name, '.');
  std::string first = labels.empty() ? std::string() : std::string(labels.front());
  for (const char* w : k_words) {
    std::string word = w;
    // Only the host part: the registered domain (last two labels) says nothing about the host.
    for (std::size_t i = 0; i + 2 < labels.size(); ++i) {
      std::string_view label = labels[i];
      auto pos = label.find(word);
      if (pos == std::string_view::npos) continue;
      // Word boundary: start/end of label or next to a digit or '-'.
      bool left = pos == 0 || !util::is_alpha(label[pos - 1]);
      std::size_t end = pos + word.size();
      bool right = end >= label.size() || !util::is_alpha(label[end]) || word.back() == '-';
      if (left && right) return "contains \"" + word + "\"";
    }
  }
  // Many digits in the host part are typical of generated names.
  std::size_t digits = 0;
  for (char c : first) digits += util::is_digit(c);
  if (digits >= 6) return "host label made mostly of digits";
  return {};
}

std::string generic_name_reason_de(std::string_view reason) {
  if (reason == "contains the address digits") return "enthält die Ziffern der Adresse";
  if (reason == "contains the address in hex") return "enthält die Adresse in Hexadezimalform";
  if (reason == "host label made mostly of digits") return "der Hostteil besteht überwiegend aus Ziffern";
  if (reason.starts_with("contains ")) return "enthält " + std::string(reason.substr(9));
  return std::string(reason);
}

}  // namespace mailrep::rdns
