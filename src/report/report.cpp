#include "mailrep/report/report.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <mutex>

#include "mailrep/util/text.hpp"

namespace mailrep::report {

std::string_view to_string(Status s) {
  switch (s) {
    case Status::ok: return "OK";
    case Status::warning: return "WARNING";
    case Status::critical: return "CRITICAL";
    case Status::unknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

std::string status_word(Status s, Lang lang) {
  if (lang == Lang::en) return std::string(to_string(s));
  switch (s) {
    case Status::ok: return "OK";
    case Status::warning: return "WARNUNG";
    case Status::critical: return "KRITISCH";
    case Status::unknown: return "UNBEKANNT";
  }
  return "UNBEKANNT";
}

namespace {
int rank(Status s) {
  switch (s) {
    case Status::ok: return 0;
    case Status::warning: return 1;
    case Status::unknown: return 2;
    case Status::critical: return 3;
  }
  return 2;
}
}  // namespace

Status worst(Status a, Status b) { return rank(a) >= rank(b) ? a : b; }

Status from_severity(Severity s) {
  switch (s) {
    case Severity::info: return Status::ok;
    case Severity::warning: return Status::warning;
    case Severity::critical: return Status::critical;
  }
  return Status::unknown;
}

namespace {
std::optional<double> parse_num(std::string_view s) {
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}
}  // namespace

std::optional<Range> parse_range(std::string_view text) {
  Range r;
  r.text = std::string(text);
  std::string_view s = util::trim(text);
  if (s.empty()) return std::nullopt;
  if (s.front() == '@') {
    r.inside = true;
    s.remove_prefix(1);
  }
  auto colon = s.find(':');
  if (colon == std::string_view::npos) {
    auto v = parse_num(s);
    if (!v) return std::nullopt;
    r.start = 0;
    r.end = *v;
  } else {
    std::string_view a = s.substr(0, colon), b = s.substr(colon + 1);
    if (a == "~") r.start_infinite = true;
    else if (a.empty()) r.start = 0;
    else if (auto v = parse_num(a)) r.start = *v;
    else return std::nullopt;
    if (b.empty()) r.end_infinite = true;
    else if (auto v = parse_num(b)) r.end = *v;
    else return std::nullopt;
  }
  if (!r.start_infinite && !r.end_infinite && r.start > r.end) return std::nullopt;
  return r;
}

bool Range::alerts(double v) const {
  bool in = (start_infinite || v >= start) && (end_infinite || v <= end);
  return inside ? in : !in;
}

// ---- message registry ----
namespace {
std::map<std::string, const MessageText*, std::less<>>& registry() {
  static std::map<std::string, const MessageText*, std::less<>> r;
  return r;
}
std::mutex g_registry_mutex;

std::string substitute(std::string_view tmpl, const Finding& f, bool de) {
  std::string out;
  std::size_t i = 0;
  while (i < tmpl.size()) {
    if (tmpl[i] == '{') {
      auto close = tmpl.find('}', i);
      if (close != std::string_view::npos) {
        std::string_view name = tmpl.substr(i + 1, close - i - 1);
        std::string_view german = de ? f.get(std::string(name) + std::string(Finding::k_german_suffix)) : std::string_view();
        out += german.empty() ? f.get(name) : german;
        i = close + 1;
        continue;
      }
    }
    out += tmpl[i++];
  }
  return out;
}
}  // namespace

void register_messages(std::span<const MessageText> texts) {
  std::lock_guard lock(g_registry_mutex);
  for (const auto& t : texts) registry()[std::string(t.id)] = &t;
}

const MessageText* find_message(std::string_view id) {
  std::lock_guard lock(g_registry_mutex);
  auto it = registry().find(id);
  return it == registry().end() ? nullptr : it->second;
}

std::vector<const MessageText*> all_messages() {
  std::lock_guard lock(g_registry_mutex);
  std::vector<const MessageText*> out;
  for (auto& [k, v] : registry()) out.push_back(v);
  return out;
}

FindingText localize(const Finding& f, Lang lang) {
  FindingText t;
  const MessageText* m = find_message(f.id);
  if (!m) {
    t.title = f.id;
    for (const auto& [k, v] : f.args) t.detail += (t.detail.empty() ? "" : "; ") + k + "=" + v;
    return t;
  }
  bool de = lang == Lang::de;
  t.title = substitute(de ? m->de_title : m->en_title, f, de);
  t.detail = substitute(de ? m->de_detail : m->en_detail, f, de);
  t.fix = substitute(de ? m->de_fix : m->en_fix, f, de);
  return t;
}

nlohmann::json finding_json(const Finding& f, Lang lang) {
  FindingText t = localize(f, lang);
  nlohmann::json j;
  j["id"] = f.id;
  j["severity"] = std::string(to_string(f.severity));
  j["title"] = t.title;
  j["detail"] = t.detail;
  if (!f.evidence.empty()) j["evidence"] = util::sanitize(f.evidence);
  if (!t.fix.empty()) j["fix"] = t.fix;
  j["who_can_fix"] = std::string(to_string(f.who_can_fix));
  if (!f.subject.empty()) j["subject"] = f.subject;
  if (!f.args.empty()) {
    nlohmann::json a = nlohmann::json::object();
    for (const auto& [k, v] : f.args)
      if (!k.ends_with(Finding::k_german_suffix)) a[k] = v;
    j["args"] = a;
  }
  return j;
}

// ---- renderers ----
namespace {

std::string num(double v) { return util::format_double(v, 3); }

/// Evidence often holds several records, one per line: keep them apart on one line.
std::string one_line(std::string_view text, std::size_t max) {
  std::string flat;
  for (char c : text) {
    if (c == '\n') flat += " | ";
    else if (c != '\r') flat += c;
  }
  return util::sanitize(flat, max);
}

std::string perf_label(std::string_view label) {
  bool needs_quotes = label.find_first_of(" '=") != std::string_view::npos;
  std::string l;
  for (char c : label) l += c == '\'' ? '"' : c;
  return needs_quotes ? "'" + l + "'" : l;
}

const char* colour_of(Severity s) {
  switch (s) {
    case Severity::critical: return "\033[1;31m";
    case Severity::warning: return "\033[33m";
    case Severity::info: return "\033[36m";
  }
  return "";
}

std::string severity_word(Severity s, Lang lang) {
  if (lang == Lang::de) {
    switch (s) {
      case Severity::critical: return "KRITISCH";
      case Severity::warning: return "WARNUNG";
      case Severity::info: return "INFO";
    }
  }
  switch (s) {
    case Severity::critical: return "CRITICAL";
    case Severity::warning: return "WARNING";
    case Severity::info: return "INFO";
  }
  return "";
}

std::vector<const Finding*> sorted_findings(const CommandResult& r) {
  std::vector<const Finding*> v;
  for (const auto& f : r.findings) v.push_back(&f);
  std::stable_sort(v.begin(), v.end(), [](const Finding* a, const Finding* b) {
    return static_cast<int>(a->severity) > static_cast<int>(b->severity);
  });
  return v;
}

std::string render_text(const CommandResult& r, const RenderOptions& o) {
  std::string out = r.text;
  auto findings = sorted_findings(r);
  if (!findings.empty() && r.findings_in_text) {
    if (!out.empty() && out.back() != '\n') out += '\n';
    if (!out.empty()) out += '\n';
    out += o.lang == Lang::de ? "Befunde:\n" : "Findings:\n";
    for (const Finding* f : findings) {
      if (o.quiet && f->severity == Severity::info) continue;
      FindingText t = localize(*f, o.lang);
      std::string sev = severity_word(f->severity, o.lang);
      out += "  ";
      if (o.color) out += colour_of(f->severity);
      out += "[" + sev + "]";
      if (o.color) out += "\033[0m";
      out += " " + t.title;
      if (!f->subject.empty() && t.title.find(f->subject) == std::string::npos)
        out += " (" + util::sanitize(f->subject, 200) + ")";
      out += "\n";
      if (!t.detail.empty()) out += "      " + t.detail + "\n";
      if (!f->evidence.empty() && (o.verbose || f->severity != Severity::info))
        out += (o.lang == Lang::de ? "      Beleg: " : "      Evidence: ") + one_line(f->evidence, 600) + "\n";
      if (!t.fix.empty()) out += (o.lang == Lang::de ? "      Abhilfe: " : "      Fix: ") + t.fix + "\n";
    }
  }
  if (!out.empty() && out.back() != '\n') out += '\n';
  out += (o.lang == Lang::de ? "Status: " : "Status: ") + status_word(r.status, o.lang);
  if (!r.summary.empty()) out += " - " + r.summary;
  out += "\n";
  return out;
}

std::string render_json(const CommandResult& r, const RenderOptions& o) {
  nlohmann::json j = r.data;
  j["command"] = r.command;
  j["status"] = std::string(to_string(r.status));
  j["exit_code"] = exit_code(r.status);
  nlohmann::json fs = nlohmann::json::array();
  for (const auto& f : r.findings) fs.push_back(finding_json(f, o.lang));
  j["findings"] = fs;
  if (!r.summary.empty()) j["summary"] = r.summary;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render_nagios(const CommandResult& r, const RenderOptions& o) {
  std::string out = "MAILREP " + std::string(to_string(r.status)) + " - ";
  out += r.summary.empty() ? std::string(to_string(r.status)) : r.summary;
  // The status line must stay one line; '|' separates perfdata.
  for (char& c : out)
    if (c == '\n' || c == '|') c = ' ';
  if (!r.perf.empty()) {
    out += " |";
    for (const auto& p : r.perf) {
      out += " " + perf_label(p.label) + "=" + num(p.value) + p.unit + ";" + p.warn + ";" + p.crit + ";";
      if (p.min) out += num(*p.min);
      out += ";";
      if (p.max) out += num(*p.max);
    }
  }
  out += "\n";
  for (const auto& l : r.long_output) {
    std::string line = util::sanitize(l, 1000);
    for (char& c : line)
      if (c == '|' || c == '\n' || c == '\r') c = ' ';
    out += line + "\n";
  }
  for (const Finding* f : sorted_findings(r)) {
    if (!r.findings_in_long_output) break;
    if (f->severity == Severity::info && !o.verbose) continue;
    FindingText t = localize(*f, o.lang);
    std::string line = severity_word(f->severity, o.lang) + ": " + t.title;
    if (!f->subject.empty()) line += " (" + util::sanitize(f->subject, 200) + ")";
    if (!t.detail.empty()) line += " - " + t.detail;
    for (char& c : line)
      if (c == '|' || c == '\n') c = ' ';
    out += line + "\n";
  }
  return out;
}

std::string escape_label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string escape_help(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string render_prometheus(const CommandResult& r) {
  std::string out;
  // Samples of one metric name stay together (the text format wants each family in one block),
  // in the order the names first appear.
  std::vector<std::string> names;
  for (const auto& m : r.metrics)
    if (std::find(names.begin(), names.end(), m.name) == names.end()) names.push_back(m.name);
  std::vector<const Metric*> ordered;
  for (const auto& name : names)
    for (const auto& m : r.metrics)
      if (m.name == name) ordered.push_back(&m);
  std::vector<std::string> seen;
  for (const Metric* mp : ordered) {
    const Metric& m = *mp;
    if (std::find(seen.begin(), seen.end(), m.name) == seen.end()) {
      seen.push_back(m.name);
      out += "# HELP " + m.name + " " + escape_help(m.help) + "\n";
      out += "# TYPE " + m.name + " gauge\n";
    }
    out += m.name;
    if (!m.labels.empty()) {
      out += "{";
      for (std::size_t i = 0; i < m.labels.size(); ++i) {
        if (i) out += ",";
        out += m.labels[i].first + "=\"" + escape_label(util::sanitize(m.labels[i].second, 300)) + "\"";
      }
      out += "}";
    }
    out += " " + num(m.value) + "\n";
  }
  std::string status_name = "mailrep_status";
  out += "# HELP mailrep_status Status of the last run (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)\n";
  out += "# TYPE mailrep_status gauge\n";
  out += "mailrep_status{command=\"" + escape_label(r.command) + "\"} " + num(exit_code(r.status)) + "\n";
  return out;
}

}  // namespace

std::string render(const CommandResult& r, const RenderOptions& o) {
  switch (o.format) {
    case Format::text: return render_text(r, o);
    case Format::json: return render_json(r, o);
    case Format::nagios: return render_nagios(r, o);
    case Format::prometheus: return render_prometheus(r);
  }
  return render_text(r, o);
}

}  // namespace mailrep::report
