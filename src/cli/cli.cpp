#include "mailrep/cli/cli.hpp"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "context.hpp"
#include "monitor.hpp"
#include "mailrep/assess/messages.hpp"
#include "mailrep/auth/messages.hpp"
#include "mailrep/auth/spf/lint.hpp"
#include "mailrep/content/messages.hpp"
#include "mailrep/dnsbl/messages.hpp"
#include "mailrep/mail/messages.hpp"
#include "mailrep/smtp/messages.hpp"
#include "mailrep/util/text.hpp"

namespace po = boost::program_options;

namespace mailrep::cli {
namespace {

const CommandSpec k_commands[] = {
    {"check", "DOMAIN", "full check of a sending domain/provider (the main job)", &cmd_check},
    {"ip", "ADDR|CIDR|HOST ...", "blocklists, PTR and FCrDNS of addresses ('-' reads stdin)", &cmd_ip},
    {"spf", "[DOMAIN] [--ip IP --sender ADDR --helo NAME]", "SPF evaluation (RFC 7208 check_host) or lint", &cmd_spf},
    {"auth", "DOMAIN", "SPF, DKIM, DMARC, MTA-STS, TLS-RPT, BIMI records and their problems", &cmd_auth},
    {"lists", "[--probe]", "the configured blocklists; --probe checks each list's health", &cmd_lists},
    {"probe", "[RECEIVER ...]", "ask receivers' MX from this host (greeting/EHLO, never DATA) whether they refuse it", &cmd_probe},
    {"bounce", "[FILE|-]", "explain a bounce/DSN or a received message: who rejected, why, which IP, what to do", &cmd_bounce},
    {"content", "[FILE|-]", "what in a message or template may trip spam filters", &cmd_content},
};

po::options_description global_options() {
  po::options_description g("Global options");
  g.add_options()
      ("resolver", po::value<std::vector<std::string>>()->composing(), "DNS resolver HOST[:PORT] (repeatable; else MAILREP_RESOLVER, else /etc/resolv.conf)")
      ("timeout-ms", po::value<long>()->default_value(2000), "timeout per DNS attempt in milliseconds")
      ("retries", po::value<int>()->default_value(2), "extra attempts per query (rotating through the resolvers)")
      // 500: well inside what a stock local resolver serves at once (unbound 1.17 on Debian 12:
      // num-queries-per-thread 1024 with libevent; BIND: recursive-clients 1000). Blocklist queries
      // are mostly cache misses, and a resolver past its limit drops them (each then costs a timeout).
      ("concurrency", po::value<long>()->default_value(500), "DNS queries in flight at most")
      ("lists", po::value<std::string>(), "blocklist catalogue FILE (dnsbl.toml format) or DIR with lists")
      ("format", po::value<std::string>()->default_value("text"), "text|json|nagios|prometheus")
      ("lang", po::value<std::string>(), "en|de (default from LANG)")
      ("no-color", "no colour in text output")
      ("quiet,q", "less output")
      ("verbose,v", "more output")
      ("warning,w", po::value<std::string>(), "WARNING range (Nagios syntax) on the score / listing count")
      ("critical,c", po::value<std::string>(), "CRITICAL range (Nagios syntax) on the score / listing count")
      ("timeout", po::value<std::string>(), "total time in SECONDS (plugin timeout): unfinished items are UNKNOWN, and at the end a valid UNKNOWN result, exit 3")
      ("version", "print the version")
      ("help,h", "print this help");
  return g;
}

po::options_description command_options() {
  po::options_description c("Command options");
  c.add_options()
      ("probe", "lists: probe each list's health (RFC 5782 test points)")
      ("max-addresses", po::value<long>()->default_value(4096), "ip: largest CIDR expansion")
      ("spamhaus-key", po::value<std::string>(), "Spamhaus DQS key (or MAILREP_SPAMHAUS_KEY)")
      ("ip", po::value<std::vector<std::string>>()->composing(), "spf: client IP; check: extra outbound address")
      ("sender", po::value<std::string>(), "spf/probe: envelope sender (MAIL FROM; probe: default <>, used with --rcpt)")
      ("helo", po::value<std::string>(), "spf/probe: HELO/EHLO name (probe: default this host's FQDN)")
      ("all-mx", "probe: every MX of a receiver, not just the most preferred one")
      ("source", po::value<std::string>(), "probe: bind this local address (IPv4 or IPv6) for the connections")
      ("rcpt", po::value<std::string>(), "probe: send MAIL FROM/RCPT TO for this recipient (never DATA)")
      ("smtp-port", po::value<long>(), "probe: connect to this port instead of 25 (tests)")
      ("selector", po::value<std::vector<std::string>>()->composing(), "auth/check: DKIM selector to try first (repeatable)")
      ("ca-file", po::value<std::string>(), "extra trusted CA for HTTPS fetches")
      ("report", "check/bounce: print the text to forward to the provider")
      ("https-port", po::value<int>(), "connect HTTPS fetches to this port instead of 443 (tests, demo)")
      ("http-port", po::value<int>(), "connect HTTP fetches to this port instead of 80 (tests, demo)")
      ("targets", po::value<std::string>(), "check/ip: read the targets from FILE (one domain/address/CIDR per line, # comments)")
      ("deadline", po::value<std::string>(), "check/ip: after SECONDS, whatever is unfinished is UNKNOWN (per target)")
      ("state", po::value<std::string>(), "check/ip: keep the last result in FILE and report what changed since the last run")
      ("changes-only", "check/ip with --state: print only the changes (new-listing, delisting, ...)")
      ("notify", po::value<std::string>(), "check/ip with --state: POST a JSON summary of the changes to this https:// URL")
      ("notify-allow-http", "allow an http:// --notify URL to 127.0.0.1 (tests)")
      ("offline", "content: skip the DNS checks");
  return c;
}

std::string usage_text() {
  std::ostringstream os;
  os << "mailrep " MAILREP_VERSION " - why is my mail blocked, and will it be tomorrow?\n\n"
     << "Usage: mailrep [global options] COMMAND [args]\n\nCommands:\n";
  for (const auto& c : k_commands) {
    std::string left = std::string(c.name) + " " + c.args;
    os << "  " << left;
    if (left.size() < 40) os << std::string(40 - left.size(), ' ');
    else os << "\n" << std::string(42, ' ');
    os << c.help << "\n";
  }
  os << "\n" << global_options() << "\n" << command_options()
     << "\nExit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also usage errors).\n";
  return os.str();
}

report::Lang lang_from_env() {
  for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* v = std::getenv(var);
    if (v && *v) return util::istarts_with(v, "de") ? report::Lang::de : report::Lang::en;
  }
  return report::Lang::en;
}

}  // namespace

std::string shipped_lists_dir() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share" / "mailrep" / "lists";
    if (fs::exists(installed / "dnsbl.toml", ec)) return installed.string();
  }
  return std::string(MAILREP_SOURCE_DIR) + "/lists";
}

Result<dns::Resolver*> Context::dns() {
  if (resolver) return resolver.get();
  if (resolver_options.servers.empty()) {
    const char* env = std::getenv("MAILREP_RESOLVER");
    if (env && *env) {
      for (auto part : util::split(env, ',')) {
        auto s = dns::parse_server(util::trim(part));
        if (!s) return tl::unexpected(s.error());
        resolver_options.servers.push_back(*s);
      }
    } else {
      auto servers = dns::servers_from_resolv_conf();
      if (!servers) return tl::unexpected(Error{ErrorCode::dns, servers.error().message + " (give --resolver HOST[:PORT])"});
      resolver_options.servers = *servers;
    }
  }
  for (const auto& s : resolver_options.servers)
    if (dns::is_public_resolver(s))
      notes.push_back("resolver " + s.to_string() +
                      " is a public resolver: Spamhaus and other blocklists refuse it, so their answers will be "
                      "unknown. Use a local resolver (e.g. unbound) or a DQS key.");
  auto r = dns::AresResolver::create(loop, resolver_options);
  if (!r) return tl::unexpected(r.error());
  resolver = std::move(*r);
  for (const auto& z : zone_rates) resolver->limit_zone(z.zone, z.qps, z.burst);
  return resolver.get();
}

void Context::limit_zone(ZoneRate rate) {
  if (resolver) resolver->limit_zone(rate.zone, rate.qps, rate.burst);
  zone_rates.push_back(std::move(rate));
}

void register_all_messages() {
  static const bool once = [] {
    report::register_messages(dnsbl::messages());
    report::register_messages(smtp::messages());
    report::register_messages(auth::spf::spf_messages());
    report::register_messages(auth::auth_messages());
    report::register_messages(assess::messages());
    report::register_messages(monitor_messages());
    report::register_messages(mail::messages());
    report::register_messages(content::messages());
    return true;
  }();
  (void)once;
}

Context::~Context() {
  fetcher.reset();
  resolver.reset();
}

Result<http::Fetcher*> Context::http() {
  if (fetcher) return fetcher.get();
  auto r = dns();
  if (!r) return tl::unexpected(r.error());
  http::FetcherOptions o;
  if (vm.count("ca-file")) o.ca_file = vm["ca-file"].as<std::string>();
  for (auto [name, from] : {std::pair<const char*, int>{"https-port", 443}, {"http-port", 80}}) {
    if (!vm.count(name)) continue;
    int port = vm[name].as<int>();
    if (port < 1 || port > 65535) return fail(ErrorCode::invalid_input, std::string("--") + name + " must be 1-65535");
    o.port_map[static_cast<std::uint16_t>(from)] = static_cast<std::uint16_t>(port);
  }
  auto f = http::Fetcher::create(loop, **r, o);
  if (!f) return tl::unexpected(f.error());
  fetcher = std::move(*f);
  return fetcher.get();
}

std::optional<std::string> Context::unreachable_resolver() const {
  if (!resolver) return std::nullopt;
  const auto& st = resolver->stats();
  if (st.sent == 0 || st.responses > 0) return std::nullopt;
  std::vector<std::string> names;
  for (const auto& s : resolver_options.servers) names.push_back(s.to_string());
  return "no answer from the DNS resolver " + util::join(names, ", ") + " (" + std::to_string(st.sent) +
         " queries timed out or were refused); nothing could be checked. Is the resolver running and reachable?";
}

int run(int argc, char** argv) {
  register_all_messages();
  po::options_description all;
  all.add(global_options()).add(command_options());
  all.add_options()("command", po::value<std::string>(), "")("args", po::value<std::vector<std::string>>(), "");
  po::positional_options_description pos;
  pos.add("command", 1).add("args", -1);

  auto usage_error = [](const std::string& msg) {
    std::cerr << "mailrep: " << msg << " (see mailrep --help)\n";
    return 3;
  };

  Context ctx;
  ctx.err = &std::cerr;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).style(
                  po::command_line_style::default_style & ~po::command_line_style::allow_guessing).run(),
              ctx.vm);
    po::notify(ctx.vm);
  } catch (const po::error& e) {
    return usage_error(e.what());
  }
  const auto& vm = ctx.vm;
  if (vm.count("help")) {
    std::cout << usage_text();
    return 0;
  }
  if (vm.count("version")) {
    std::cout << "mailrep " MAILREP_VERSION "\n";
    return 0;
  }
  if (!vm.count("command")) return usage_error("no command given");
  std::string command = vm["command"].as<std::string>();
  const CommandSpec* spec = nullptr;
  for (const auto& c : k_commands)
    if (command == c.name) spec = &c;
  if (!spec) return usage_error("unknown command '" + util::sanitize(command, 100) + "'");
  if (vm.count("args")) ctx.args = vm["args"].as<std::vector<std::string>>();

  std::string format = vm["format"].as<std::string>();
  if (format == "text") ctx.render.format = report::Format::text;
  else if (format == "json") ctx.render.format = report::Format::json;
  else if (format == "nagios") ctx.render.format = report::Format::nagios;
  else if (format == "prometheus") ctx.render.format = report::Format::prometheus;
  else return usage_error("--format must be text, json, nagios or prometheus");
  ctx.render.lang = lang_from_env();
  if (vm.count("lang")) {
    std::string l = vm["lang"].as<std::string>();
    if (l == "en") ctx.render.lang = report::Lang::en;
    else if (l == "de") ctx.render.lang = report::Lang::de;
    else return usage_error("--lang must be en or de");
  }
  ctx.render.quiet = vm.count("quiet") > 0;
  ctx.render.verbose = vm.count("verbose") > 0;
  ctx.render.color = ctx.render.format == report::Format::text && !vm.count("no-color") && !std::getenv("NO_COLOR") &&
                     isatty(STDOUT_FILENO);
  for (const char* name : {"warning", "critical"}) {
    if (!vm.count(name)) continue;
    auto r = report::parse_range(vm[name].as<std::string>());
    if (!r) return usage_error(std::string("--") + name + ": not a valid range (e.g. 10, 10:, ~:10, @10:20)");
    (std::string(name) == "warning" ? ctx.warning : ctx.critical) = *r;
  }
  long timeout = vm["timeout-ms"].as<long>();
  if (timeout < 1 || timeout > 600000) return usage_error("--timeout-ms must be between 1 and 600000");
  int retries = vm["retries"].as<int>();
  if (retries < 0 || retries > 10) return usage_error("--retries must be between 0 and 10");
  long concurrency = vm["concurrency"].as<long>();
  if (concurrency < 1 || concurrency > 100000) return usage_error("--concurrency must be between 1 and 100000");
  ctx.timeout = std::chrono::milliseconds(timeout);
  ctx.resolver_options.timeout = ctx.timeout;
  ctx.resolver_options.retries = retries;
  ctx.resolver_options.concurrency = static_cast<std::size_t>(concurrency);
  if (vm.count("resolver")) {
    for (const auto& r : vm["resolver"].as<std::vector<std::string>>()) {
      auto s = dns::parse_server(r);
      if (!s) return usage_error(s.error().message);
      ctx.resolver_options.servers.push_back(*s);
    }
  }
  if (vm.count("lists")) ctx.lists_path = vm["lists"].as<std::string>();
  if (vm.count("timeout")) {
    // The Monitoring Plugins' total time: a hard stop that still prints a valid UNKNOWN result.
    std::string t = vm["timeout"].as<std::string>();
    double secs = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), secs);
    if (ec != std::errc() || p != t.data() + t.size() || !(secs > 0) || secs > 86400)
      return usage_error("--timeout must be a number of seconds between 0 and 86400");
    arm_total_timeout(secs, command, ctx.render.format);
  }

  Result<CommandResult> result = spec->fn(ctx);
  for (const auto& n : ctx.notes) std::cerr << "mailrep: warning: " << n << "\n";
  if (!result) {
    const Error& e = result.error();
    if (e.code == ErrorCode::invalid_input && ctx.render.format == report::Format::text)
      return usage_error(e.message);
    CommandResult r;
    r.command = command;
    r.status = report::Status::unknown;
    r.summary = e.message;
    if (ctx.render.format == report::Format::text) {
      std::cerr << "mailrep: " << e.message << "\n";
    } else {
      std::cout << report::render(r, ctx.render);
      if (ctx.render.format != report::Format::nagios) std::cerr << "mailrep: " << e.message << "\n";
    }
    if (ctx.abandon) {
      std::cout.flush();
      std::cerr.flush();
      _exit(3);
    }
    return 3;
  }
  if (ctx.preformatted || (ctx.text_only && ctx.render.format == report::Format::text)) std::cout << result->text;
  else std::cout << report::render(*result, ctx.render);
  std::cout.flush();
  if (ctx.abandon) {
    // Work abandoned at the deadline is still in flight: leave without tearing the loop down.
    std::cerr.flush();
    _exit(report::exit_code(result->status));
  }
  return report::exit_code(result->status);
}

}  // namespace mailrep::cli
