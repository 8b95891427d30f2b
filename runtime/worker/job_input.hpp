// The one place a fetched (or hand-written) job becomes what a plugin's
// handler sees: jid, jobtype, queue, retry count, and args, custom and the
// whole job as JSON text made only when the handler asks for them.
// Used by the processors and by `faktory-host run-job`.
#pragma once
#include "plugins/plugin_generation.hpp"
#include "protocol/job.hpp"

namespace faktory_host::worker {

// `job` must carry a jid (a fetched job is checked for one; run-job assigns one
// first), and must outlive the input and stay unchanged while it is used: the
// input's JSON texts are made from it on demand.
plugins::JobInput job_input_of(const protocol::Job& job);

} // namespace faktory_host::worker
