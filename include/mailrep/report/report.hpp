#pragma once
/// \file The result of one command and its renderers (text en/de, json, nagios, prometheus).
/// Values in, strings out: no I/O here.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mailrep/util/finding.hpp"

namespace mailrep::report {

enum class Status { ok = 0, warning = 1, critical = 2, unknown = 3 };
[[nodiscard]] std::string_view to_string(Status s);
[[nodiscard]] constexpr int exit_code(Status s) { return static_cast<int>(s); }
/// The worse of two: unknown ranks between warning and critical for combination purposes is NOT
/// what the plugin guidelines say; we rank critical > unknown > warning > ok.
[[nodiscard]] Status worst(Status a, Status b);
[[nodiscard]] Status from_severity(Severity s);

enum class Format { text, json, nagios, prometheus };
enum class Lang { en, de };

/// A Nagios perfdata value: 'label'=value[UOM];[warn];[crit];[min];[max]
struct Perf {
  std::string label;
  double value = 0;
  std::string unit;
  std::string warn, crit;
  std::optional<double> min, max;
};

/// Monitoring Plugins range: "10" (0..10), "10:" (>=10), "~:10", "10:20", "@10:20" (alert inside).
struct Range {
  double start = 0;
  double end = 0;
  bool start_infinite = false;
  bool end_infinite = false;
  bool inside = false;  ///< '@': alert when inside
  std::string text;
  [[nodiscard]] bool alerts(double v) const;
};
[[nodiscard]] std::optional<Range> parse_range(std::string_view text);

/// A Prometheus sample (textfile collector format). The renderer groups samples by name (one
/// HELP/TYPE pair per name, first HELP wins) and escapes label values.
struct Metric {
  std::string name;  ///< e.g. mailrep_listed
  std::string help;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};

struct CommandResult {
  std::string command;
  Status status = Status::unknown;
  std::vector<Finding> findings;
  nlohmann::json data = nlohmann::json::object();  ///< command-specific JSON keys (DESIGN.md contract)
  std::string summary;                             ///< one line, for the nagios status line
  std::string text;                                ///< the command's own text body (already localised)
  std::vector<Perf> perf;
  std::vector<Metric> metrics;
  /// Nagios long output: lines after the status line, before the findings (e.g. --state changes).
  std::vector<std::string> long_output;
  bool findings_in_long_output = true;  ///< nagios: list the findings after long_output
  bool findings_in_text = true;         ///< text: list the findings (false: `text` already has them, or --changes-only)
};

struct RenderOptions {
  Format format = Format::text;
  Lang lang = Lang::en;
  bool color = false;
  bool quiet = false;
  bool verbose = false;
};

[[nodiscard]] std::string render(const CommandResult& r, const RenderOptions& o);

/// Texts of a finding in a language, with {arg} replaced.
struct FindingText {
  std::string title, detail, fix;
};
[[nodiscard]] FindingText localize(const Finding& f, Lang lang);
/// Register the message texts of a module (called once per module at start-up by cli).
void register_messages(std::span<const MessageText> texts);
[[nodiscard]] const MessageText* find_message(std::string_view id);
[[nodiscard]] std::vector<const MessageText*> all_messages();

[[nodiscard]] nlohmann::json finding_json(const Finding& f, Lang lang);
[[nodiscard]] std::string status_word(Status s, Lang lang);

}  // namespace mailrep::report
