// The one place a fetched (or hand-written) job becomes what a plugin's
// handler sees: jid, jobtype, queue, args and custom as JSON, retry count.
// Used by the processors and by `faktory-host run-job`.
#pragma once
#include "plugins/plugin_generation.hpp"
#include "protocol/job.hpp"

namespace faktory_host::worker {

// `job` must carry a jid (a fetched job is checked for one; run-job assigns one first).
plugins::JobInput job_input_of(const protocol::Job& job);

} // namespace faktory_host::worker
