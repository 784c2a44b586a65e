// mailrep-faultd: the FaultServer as a stand-alone process, driven by a script file.
//
// Usage: mailrep-faultd [--port N] [--port-file FILE] [--query-log FILE] SCRIPT
//   Binds 127.0.0.1 UDP+TCP on port N (default 0: chosen by the kernel), writes the port (one line)
//   to FILE once it answers, and runs until SIGTERM or SIGINT. Then it removes the port file and,
//   with --query-log, writes the query log ("name TYPE proto" per line). Exit 0 after a signal,
//   2 for usage or script errors (file:line: message on stderr), 1 when it cannot bind.
//
// Script format (ldns-testns-like, one statement per line; blank lines and lines starting with '#'
// are ignored; tokens are separated by blanks; "double quotes" make one token, in which \" \\ and
// \DDD are escapes):
//
//   record NAME [TTL] TYPE RDATA...
//     NAME: the owner, taken literally except for \DDD and \X escapes; a trailing dot is ignored.
//     TTL:  seconds (default 300).
//     TYPE and RDATA:
//       A     192.0.2.1
//       AAAA  2001:db8::1
//       MX    PRIORITY HOST
//       TXT   "string" ["string" ...]       (SPF the same; strings over 255 bytes are split)
//       PTR | CNAME | NS  HOST
//       SRV   PRIORITY WEIGHT PORT TARGET
//       TLSA  USAGE SELECTOR MATCHING HEX
//       SOA   MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM
//
//   rule NAME TYPE|* ACTION [rcode=N] [delay=MS] [times=N]
//     NAME: a query name, or * for any. Rules are checked in order before the records.
//     ACTION: answer | rcode | drop | truncate | garbage | wrong_id | oversized_txt | delay_then_answer
//             ('-' may stand for '_'); see fault_server.hpp for what each does.
//     rcode=  a number or NOERROR FORMERR SERVFAIL NXDOMAIN NOTIMP REFUSED (for ACTION rcode)
//     delay=  milliseconds (for delay_then_answer)
//     times=  apply this many times, then fall through (default: always)
//
// Example:
//   record demo.test SOA ns.demo.test. hostmaster.demo.test. 1 3600 600 86400 300
//   record mx.demo.test A 192.0.2.10
//   record demo.test TXT "v=spf1 ip4:192.0.2.0/24 " "-all"
//   rule slow.demo.test A delay_then_answer delay=1500
//   rule mx.demo.test * rcode rcode=SERVFAIL times=2
#include "fault_server.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <pthread.h>

namespace {

using mailrep::dns::Record;
using mailrep::dns::RrType;
using mailrep::test::FaultAction;
using mailrep::test::FaultRule;

struct Token {
  std::string text;
  bool quoted = false;
};

struct ScriptError {
  std::string message;
};

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

/// Decodes \DDD and \X in `in` from position `i` (just past the backslash); advances `i`.
std::optional<char> decode_escape(std::string_view in, std::size_t& i) {
  if (i >= in.size()) {
    return std::nullopt;
  }
  if (is_digit(in[i])) {
    if (i + 3 > in.size() || !is_digit(in[i + 1]) || !is_digit(in[i + 2])) {
      return std::nullopt;
    }
    const int v = (in[i] - '0') * 100 + (in[i + 1] - '0') * 10 + (in[i + 2] - '0');
    if (v > 255) {
      return std::nullopt;
    }
    i += 3;
    return static_cast<char>(static_cast<unsigned char>(v));
  }
  return in[i++];
}

std::vector<Token> tokenize(std::string_view line) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < line.size()) {
    if (is_blank(line[i])) {
      ++i;
      continue;
    }
    Token t;
    if (line[i] == '"') {
      t.quoted = true;
      ++i;
      bool closed = false;
      while (i < line.size()) {
        const char c = line[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\') {
          const auto e = decode_escape(line, i);
          if (!e) {
            throw ScriptError{"bad escape in a quoted string"};
          }
          t.text += *e;
        } else {
          t.text += c;
        }
      }
      if (!closed) {
        throw ScriptError{"unterminated quoted string"};
      }
    } else {
      while (i < line.size() && !is_blank(line[i])) {
        t.text += line[i++];
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::string ascii_lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return s;
}

std::string parse_name(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i++];
    if (c == '\\') {
      const auto e = decode_escape(text, i);
      if (!e) {
        throw ScriptError{"bad escape in name '" + text + "'"};
      }
      out += *e;
    } else {
      out += c;
    }
  }
  if (!out.empty() && out.back() == '.' && out != ".") {
    out.pop_back();
  }
  return ascii_lower(out);
}

template <class T>
T parse_number(std::string_view text, T max, const char* what) {
  T v{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v > max) {
    throw ScriptError{std::string("bad ") + what + " '" + std::string(text) + "'"};
  }
  return v;
}

std::uint16_t parse_u16(std::string_view text, const char* what) {
  return parse_number<std::uint16_t>(text, 65535, what);
}

Record parse_record(const std::vector<Token>& t) {
  if (t.size() < 4) {
    throw ScriptError{"record needs NAME TYPE RDATA"};
  }
  Record r;
  r.owner = parse_name(t[1].text);
  r.ttl = 300;
  std::size_t i = 2;
  if (!t[i].quoted && !t[i].text.empty() && is_digit(t[i].text[0])) {
    r.ttl = parse_number<std::uint32_t>(t[i].text, 0x7fffffff, "TTL");
    ++i;
  }
  const auto type = mailrep::test::parse_type_name(t[i].text);
  if (!type) {
    throw ScriptError{"unsupported record type '" + t[i].text + "'"};
  }
  r.type = *type;
  ++i;
  const std::size_t n = t.size() - i;
  auto need = [&](std::size_t count) {
    if (n != count) {
      throw ScriptError{"record of type " + mailrep::test::type_name(static_cast<std::uint16_t>(r.type)) + " needs " +
                        std::to_string(count) + " rdata fields, got " + std::to_string(n)};
    }
  };
  switch (r.type) {
    case RrType::a:
    case RrType::aaaa: {
      need(1);
      const auto ip = mailrep::util::IpAddress::parse(t[i].text);
      if (!ip || ip->is_v4() != (r.type == RrType::a)) {
        throw ScriptError{"bad address '" + t[i].text + "'"};
      }
      r.address = *ip;
      r.text = t[i].text;
      break;
    }
    case RrType::mx:
      need(2);
      r.priority = parse_u16(t[i].text, "priority");
      r.text = parse_name(t[i + 1].text);
      break;
    case RrType::txt:
    case RrType::spf:
      if (n == 0) {
        throw ScriptError{"TXT needs at least one string"};
      }
      for (std::size_t k = i; k < t.size(); ++k) {
        r.strings.push_back(t[k].text);
        r.text += t[k].text;
      }
      break;
    case RrType::ptr:
    case RrType::cname:
    case RrType::ns:
      need(1);
      r.text = parse_name(t[i].text);
      break;
    case RrType::srv:
      need(4);
      r.priority = parse_u16(t[i].text, "priority");
      r.weight = parse_u16(t[i + 1].text, "weight");
      r.port = parse_u16(t[i + 2].text, "port");
      r.text = parse_name(t[i + 3].text);
      break;
    case RrType::tlsa:
      need(4);
      r.priority = parse_number<std::uint16_t>(t[i].text, 255, "usage");
      r.weight = parse_number<std::uint16_t>(t[i + 1].text, 255, "selector");
      r.port = parse_number<std::uint16_t>(t[i + 2].text, 255, "matching type");
      r.text = t[i + 3].text;
      break;
    case RrType::soa:
      need(7);
      for (std::size_t k = i; k < t.size(); ++k) {
        r.text += (k == i ? "" : " ") + t[k].text;
      }
      break;
  }
  return r;
}

int parse_rcode(const std::string& text) {
  static constexpr std::pair<std::string_view, int> k_names[] = {
      {"NOERROR", 0}, {"FORMERR", 1}, {"SERVFAIL", 2}, {"NXDOMAIN", 3}, {"NOTIMP", 4}, {"REFUSED", 5}};
  std::string upper = text;
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  for (const auto& [name, value] : k_names) {
    if (upper == name) {
      return value;
    }
  }
  return parse_number<int>(text, 15, "rcode");
}

FaultRule parse_rule(const std::vector<Token>& t) {
  if (t.size() < 4) {
    throw ScriptError{"rule needs NAME TYPE|* ACTION"};
  }
  FaultRule r;
  r.name = t[1].text == "*" ? std::string("*") : parse_name(t[1].text);
  if (t[2].text != "*") {
    r.type = mailrep::test::parse_type_name(t[2].text);
    if (!r.type) {
      throw ScriptError{"unsupported type '" + t[2].text + "'"};
    }
  }
  std::string action = t[3].text;
  for (char& c : action) {
    c = c == '-' ? '_' : c;
  }
  static constexpr std::pair<std::string_view, FaultAction> k_actions[] = {
      {"answer", FaultAction::answer},         {"rcode", FaultAction::rcode},
      {"drop", FaultAction::drop},             {"truncate", FaultAction::truncate},
      {"garbage", FaultAction::garbage},       {"wrong_id", FaultAction::wrong_id},
      {"oversized_txt", FaultAction::oversized_txt}, {"delay_then_answer", FaultAction::delay_then_answer}};
  bool known = false;
  for (const auto& [name, value] : k_actions) {
    if (action == name) {
      r.action = value;
      known = true;
    }
  }
  if (!known) {
    throw ScriptError{"unknown action '" + t[3].text + "'"};
  }
  for (std::size_t i = 4; i < t.size(); ++i) {
    const std::string& opt = t[i].text;
    const auto eq = opt.find('=');
    const std::string key = opt.substr(0, eq);
    const std::string value = eq == std::string::npos ? std::string() : opt.substr(eq + 1);
    if (eq == std::string::npos) {
      throw ScriptError{"option '" + opt + "' needs KEY=VALUE"};
    } else if (key == "rcode") {
      r.rcode = parse_rcode(value);
    } else if (key == "delay") {
      r.delay = std::chrono::milliseconds{parse_number<int>(value, 600000, "delay")};
    } else if (key == "times") {
      r.times = value == "-1" ? -1 : parse_number<int>(value, 1000000, "times");
    } else {
      throw ScriptError{"unknown option '" + key + "'"};
    }
  }
  if (r.action == FaultAction::rcode && !std::any_of(t.begin() + 4, t.end(), [](const Token& x) {
        return x.text.rfind("rcode=", 0) == 0;
      })) {
    throw ScriptError{"action rcode needs rcode=N"};
  }
  return r;
}

struct Script {
  std::vector<Record> records;
  std::vector<FaultRule> rules;
};

std::optional<Script> load_script(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << path << ": cannot open: " << std::strerror(errno) << "\n";
    return std::nullopt;
  }
  Script s;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    try {
      const auto tokens = tokenize(line);
      if (tokens.empty() || (!tokens[0].quoted && tokens[0].text[0] == '#')) {
        continue;
      }
      if (tokens[0].text == "record") {
        s.records.push_back(parse_record(tokens));
      } else if (tokens[0].text == "rule") {
        s.rules.push_back(parse_rule(tokens));
      } else {
        throw ScriptError{"expected 'record' or 'rule', got '" + tokens[0].text + "'"};
      }
    } catch (const ScriptError& e) {
      std::cerr << path << ":" << lineno << ": " << e.message << "\n";
      return std::nullopt;
    }
  }
  return s;
}

bool write_file_atomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content;
    if (!out.flush()) {
      return false;
    }
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

int usage(const char* msg) {
  std::cerr << "mailrep-faultd: " << msg
            << "\nusage: mailrep-faultd [--port N] [--port-file FILE] [--query-log FILE] SCRIPT\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint16_t port = 0;
  std::string port_file;
  std::string log_file;
  std::string script_path;
  const std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--port" && has_value) {
      try {
        port = parse_u16(args[++i], "port");
      } catch (const ScriptError& e) {
        return usage(e.message.c_str());
      }
    } else if (a == "--port-file" && has_value) {
      port_file = args[++i];
    } else if (a == "--query-log" && has_value) {
      log_file = args[++i];
    } else if (a == "-h" || a == "--help") {
      std::cout << "usage: mailrep-faultd [--port N] [--port-file FILE] [--query-log FILE] SCRIPT\n"
                   "The script format is described at the top of tests/support/faultd_main.cpp.\n";
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      return usage(("unknown or incomplete option " + a).c_str());
    } else if (script_path.empty()) {
      script_path = a;
    } else {
      return usage("more than one script");
    }
  }
  if (script_path.empty()) {
    return usage("no script");
  }
  const auto script = load_script(script_path);
  if (!script) {
    return 2;
  }

  // Block the signals before the server thread exists, so that only sigwait() below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  int signal_number = 0;
  {
    auto server = mailrep::test::FaultServer::start(port);
    if (!server) {
      return 1;
    }
    for (const auto& r : script->records) {
      server->add_record(r);
    }
    for (const auto& r : script->rules) {
      server->add_rule(r);
    }
    if (!port_file.empty() && !write_file_atomically(port_file, std::to_string(server->port()) + "\n")) {
      std::cerr << "mailrep-faultd: cannot write " << port_file << ": " << std::strerror(errno) << "\n";
      return 1;
    }
    std::cout << "mailrep-faultd: listening on " << server->address() << std::endl;

    sigwait(&signals, &signal_number);

    if (!log_file.empty()) {
      std::string text;
      for (const auto& line : server->query_log()) {
        text += line + "\n";
      }
      if (!write_file_atomically(log_file, text)) {
        std::cerr << "mailrep-faultd: cannot write " << log_file << "\n";
      }
    }
  }
  if (!port_file.empty()) {
    std::remove(port_file.c_str());
  }
  return 0;
}
