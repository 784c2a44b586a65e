// Commands whose issues are still open. They say so and exit UNKNOWN rather than pretend.
#include "context.hpp"

namespace mailrep::cli {

Result<CommandResult> cmd_auth(Context&) { return fail(ErrorCode::unsupported, "'auth' is not implemented yet"); }
Result<CommandResult> cmd_check(Context&) { return fail(ErrorCode::unsupported, "'check' is not implemented yet"); }
Result<CommandResult> cmd_spf(Context&) { return fail(ErrorCode::unsupported, "'spf' is not implemented yet"); }

}  // namespace mailrep::cli
