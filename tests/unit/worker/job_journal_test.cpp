// JobJournal and the crash handlers: a slot holds a job exactly while its
// handler runs; what a process that died (abort, a segfault, exit(), SIGKILL)
// left in the journal is read back at the next start with the cause; and the
// dying process writes one line naming the plugin, jobtype and jid.
#include <sys/stat.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "config/config.hpp"
#include "crash/activity.hpp"
#include "crash/crash_line.hpp"
#include "crash/exit_watch.hpp"
#include "crash/fatal_signals.hpp"
#include "child_process.hpp"
#include "support/eventually.hpp"
#include "support/temp_dir.hpp"
#include "worker/job_journal.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using faktory_host::config::PoolConfig;
using faktory_host::plugins::JobInput;
using faktory_host::testing::ChildProcess;
using faktory_host::testing::eventually;
using faktory_host::testing::TempDir;
using faktory_host::worker::JobJournal;

namespace {

const std::vector<PoolConfig> two_pools{PoolConfig{"urgent", 1, {}}, PoolConfig{"bulk", 2, {}}};

JobInput job(const std::string& jid, const std::string& jobtype) {
    JobInput input;
    input.jid = jid;
    input.jobtype = jobtype;
    return input;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void arm_crash_handlers() {
    faktory_host::crash::install_fatal_signal_handlers();
    faktory_host::crash::install_exit_watch();
}

// In a child about to die: a second job, on a thread of its own in the
// "urgent" pool, still running when the process goes (it never returns).
// Returns once that job is in the journal.
void start_bystander_job(JobJournal& journal, const std::string& jid, const std::string& jobtype,
                         const std::string& plugin) {
    auto started = std::make_shared<std::atomic<bool>>(false);
    std::thread([&journal, started, jid, jobtype, plugin] {
        const auto input = job(jid, jobtype);
        const JobJournal::Entry entry(journal, "urgent", 0, input, plugin);
        *started = true;
        while (true) std::this_thread::sleep_for(10ms);
    }).detach();
    while (!*started) std::this_thread::sleep_for(1ms);
}

} // namespace

BOOST_AUTO_TEST_SUITE(job_journal)

BOOST_AUTO_TEST_CASE(a_slot_names_the_job_exactly_while_its_handler_runs) {
    TempDir dir;
    const auto file = dir / "jobs-in-flight.journal";
    JobJournal journal;
    journal.open(file, two_pools);
    const auto input = job("jid-1", "ResizeImage");
    {
        const JobJournal::Entry entry(journal, "bulk", 1, input, "image-tools");
        const auto reading = JobJournal::read(file);  // through the page cache, as the next process would
        BOOST_TEST(reading.problem.empty());
        BOOST_TEST_REQUIRE(reading.jobs.size() == 1u);
        BOOST_TEST(reading.jobs[0].jid == "jid-1");
        BOOST_TEST(reading.jobs[0].jobtype == "ResizeImage");
        BOOST_TEST(reading.jobs[0].plugin == "image-tools");
        BOOST_TEST(reading.jobs[0].pid == ::getpid());
        BOOST_TEST(reading.jobs[0].started_unix_ms > 0);
        BOOST_TEST(reading.jobs[0].signal == 0);
        // The thread's crash activity is this job while the entry lives.
        const auto* activity = faktory_host::crash::current_activity();
        BOOST_TEST_REQUIRE(activity != nullptr);
        BOOST_TEST(std::string(activity->jid) == "jid-1");
        BOOST_TEST(std::string(activity->plugin) == "image-tools");
    }
    BOOST_TEST(JobJournal::read(file).jobs.empty());
    BOOST_TEST(faktory_host::crash::current_activity() == nullptr);
}

BOOST_AUTO_TEST_CASE(the_file_is_private_and_each_processor_has_its_own_slot) {
    TempDir dir;
    const auto file = dir / "jobs-in-flight.journal";
    JobJournal journal;
    journal.open(file, two_pools);
    struct stat info {};
    BOOST_TEST_REQUIRE(::stat(file.c_str(), &info) == 0);
    BOOST_TEST((info.st_mode & 0777) == 0600u);
    const auto a = job("jid-a", "A"), b = job("jid-b", "B"), c = job("jid-c", "C");
    const JobJournal::Entry first(journal, "urgent", 0, a, "p");
    const JobJournal::Entry second(journal, "bulk", 0, b, "p");
    const JobJournal::Entry third(journal, "bulk", 1, c, "p");
    BOOST_TEST(JobJournal::read(file).jobs.size() == 3u);
}

BOOST_AUTO_TEST_CASE(opening_again_starts_empty_and_a_missing_file_reads_as_no_jobs) {
    TempDir dir;
    const auto file = dir / "jobs-in-flight.journal";
    BOOST_TEST(JobJournal::read(file).jobs.empty());
    BOOST_TEST(JobJournal::read(file).problem.empty());
    JobJournal journal;
    journal.open(file, two_pools);
    const auto input = job("jid-1", "A");
    const JobJournal::Entry entry(journal, "urgent", 0, input, "p");
    JobJournal successor;
    successor.open(file, two_pools);
    BOOST_TEST(JobJournal::read(file).jobs.empty());
}

BOOST_AUTO_TEST_CASE(clear_all_forgets_the_jobs_an_orderly_shutdown_dealt_with) {
    TempDir dir;
    const auto file = dir / "jobs-in-flight.journal";
    JobJournal journal;
    journal.open(file, two_pools);
    const auto input = job("jid-1", "A");
    const JobJournal::Entry entry(journal, "urgent", 0, input, "p");
    journal.clear_all();
    BOOST_TEST(JobJournal::read(file).jobs.empty());
}

BOOST_AUTO_TEST_CASE(an_aborting_child_leaves_its_job_and_the_signal_and_logs_one_line) {
    TempDir dir;
    const auto file = dir / "jobs-in-flight.journal";
    ChildProcess child(
        [&] {
            JobJournal journal;
            journal.open(file, two_pools);
            arm_crash_handlers();
            const auto input = job("jid-crash-1", "ResizeImage");
            const JobJournal::Entry entry(journal, "bulk", 0, input, "image-tools");
            std::abort();
        },
        dir / "child.err");
    const auto end = child.wait();
    BOOST_TEST(end.signalled);
    BOOST_TEST(end.signal == SIGABRT);
    // One line, naming plugin, jobtype, jid and the signal.
    BOOST_TEST(std::count(end.stderr_text.begin(), end.stderr_text.end(), '\n') == 1);
    BOOST_TEST(contains(end.stderr_text, "FATAL"), end.stderr_text);
    BOOST_TEST(contains(end.stderr_text, "plugin \"image-tools\" crashed the process with SIGABRT"), end.stderr_text);
    BOOST_TEST(contains(end.stderr_text, "jobtype ResizeImage, jid jid-crash-1"), end.stderr_text);

    const auto reading = JobJournal::read(file);
    BOOST_TEST(reading.problem.empty());
    BOOST_TEST_REQUIRE(reading.jobs.size() == 1u);
    const auto& crashed = reading.jobs[0];
    BOOST_TEST(crashed.jid == "jid-crash-1");
    BOOST_TEST(crashed.jobtype == "ResizeImage");
    BOOST_TEST(crashed.plugin == "image-tools");
    BOOST_TEST(crashed.pid == child.pid());
    BOOST_TEST(crashed.signal == SIGABRT);
    BOOST_TEST(contains(crashed.describe(), "died of SIGABRT"), crashed.describe());
    BOOST_TEST(contains(crashed.describe(), "plugin \"image-tools\" (jobtype ResizeImage)"), crashed.describe());
}

BOOST_AUTO_TEST_CASE(a_segfault_names_the_job_and_other_jobs_learn_the_process_signal) {
    TempDir dir;
    const auto file = dir / "jobs-in-flight.journal";
    ChildProcess child(
        [&] {
            JobJournal journal;
            journal.open(file, two_pools);
            arm_crash_handlers();
            start_bystander_job(journal, "jid-bystander", "Slow", "slow-plugin");
            const auto input = job("jid-segv", "Crash");
            const JobJournal::Entry entry(journal, "bulk", 1, input, "crashy");
            std::raise(SIGSEGV);
            std::_Exit(1);  // not reached
        },
        dir / "child.err");
    const auto end = child.wait();
    BOOST_TEST(end.signalled);
    BOOST_TEST(end.signal == SIGSEGV);
    BOOST_TEST(contains(end.stderr_text, "plugin \"crashy\" crashed the process with SIGSEGV (invalid memory access) "
                                         "while running jobtype Crash, jid jid-segv"),
               end.stderr_text);
    BOOST_TEST(contains(end.stderr_text, "jid=jid-segv jobtype=Crash "), end.stderr_text);

    const auto reading = JobJournal::read(file);
    BOOST_TEST_REQUIRE(reading.jobs.size() == 2u);
    for (const auto& crashed : reading.jobs) {
        BOOST_TEST(crashed.process_signal == SIGSEGV);
        if (crashed.jid == "jid-segv") {
            BOOST_TEST(crashed.signal == SIGSEGV);
        } else {
            BOOST_TEST(crashed.jid == "jid-bystander");
            BOOST_TEST(crashed.signal == 0);
            BOOST_TEST(contains(crashed.describe(), "SIGSEGV (invalid memory access) raised in another job"),
                       crashed.describe());
            BOOST_TEST(contains(crashed.describe(), "plugin \"slow-plugin\" (jobtype Slow)"), crashed.describe());
        }
    }
}

BOOST_AUTO_TEST_CASE(exit_called_by_a_handler_is_logged_with_every_running_job_and_recorded) {
    TempDir dir;
    const auto file = dir / "jobs-in-flight.journal";
    ChildProcess child(
        [&] {
            JobJournal journal;
            journal.open(file, two_pools);
            arm_crash_handlers();
            faktory_host::crash::set_orderly_exit(true);  // even then: the exit came from plugin code
            start_bystander_job(journal, "jid-other", "Other", "other-plugin");
            const auto input = job("jid-exit", "Quit");
            const JobJournal::Entry entry(journal, "bulk", 0, input, "quitter");
            std::exit(3);
        },
        dir / "child.err");
    const auto end = child.wait();
    BOOST_TEST(!end.signalled);
    BOOST_TEST(end.exit_code == 3);
    BOOST_TEST(contains(end.stderr_text, "plugin \"quitter\" called exit(3) while running jobtype Quit, jid jid-exit"),
               end.stderr_text);
    BOOST_TEST(contains(end.stderr_text, "job still running as the process exits: plugin \"other-plugin\", jobtype "
                                         "Other, jid jid-other"),
               end.stderr_text);

    const auto reading = JobJournal::read(file);
    BOOST_TEST_REQUIRE(reading.jobs.size() == 2u);
    for (const auto& crashed : reading.jobs) {
        if (crashed.jid == "jid-exit") {
            BOOST_TEST((crashed.exit_status == 3));
            BOOST_TEST(contains(crashed.describe(), "plugin \"quitter\" (jobtype Quit) called exit(3)"), crashed.describe());
        } else {
            BOOST_TEST(!crashed.exit_status.has_value());
            BOOST_TEST((crashed.process_exit_status == 3));
        }
    }
}

BOOST_AUTO_TEST_CASE(the_hosts_own_exit_says_nothing) {
    TempDir dir;
    const auto file = dir / "jobs-in-flight.journal";
    ChildProcess child(
        [&] {
            JobJournal journal;
            journal.open(file, two_pools);
            arm_crash_handlers();
            {
                const auto input = job("jid-done", "Done");
                const JobJournal::Entry entry(journal, "bulk", 0, input, "p");
            }
            std::exit(0);  // no plugin code on this thread, no job running
        },
        dir / "child.err");
    const auto end = child.wait();
    BOOST_TEST(end.exit_code == 0);
    BOOST_TEST(end.stderr_text.empty(), end.stderr_text);
}

BOOST_AUTO_TEST_CASE(sigkill_leaves_the_job_in_the_journal_without_a_cause) {
    TempDir dir;
    const auto file = dir / "jobs-in-flight.journal";
    const auto started = dir / "started";
    ChildProcess child(
        [&] {
            JobJournal journal;
            journal.open(file, two_pools);
            arm_crash_handlers();
            const auto input = job("jid-killed", "Long");
            const JobJournal::Entry entry(journal, "urgent", 0, input, "long-plugin");
            std::ofstream(started) << "x";
            while (true) std::this_thread::sleep_for(10ms);
        },
        dir / "child.err");
    BOOST_TEST_REQUIRE(eventually([&] { return fs::exists(started); }));
    ::kill(child.pid(), SIGKILL);
    const auto end = child.wait();
    BOOST_TEST(end.signal == SIGKILL);
    BOOST_TEST(end.stderr_text.empty());  // nothing can run on SIGKILL
    const auto reading = JobJournal::read(file);
    BOOST_TEST_REQUIRE(reading.jobs.size() == 1u);
    BOOST_TEST(reading.jobs[0].jid == "jid-killed");
    BOOST_TEST(reading.jobs[0].signal == 0);
    BOOST_TEST(contains(reading.jobs[0].describe(), "the cause was not recorded"), reading.jobs[0].describe());
}

BOOST_AUTO_TEST_CASE(a_crash_during_plugin_init_names_the_plugin_and_init) {
    TempDir dir;
    ChildProcess child(
        [&] {
            arm_crash_handlers();
            const faktory_host::crash::Activity init{"broken-init", "init", nullptr, nullptr, nullptr};
            const faktory_host::crash::ActivityScope scope(init);
            std::raise(SIGSEGV);
        },
        dir / "child.err");
    const auto end = child.wait();
    BOOST_TEST(end.signal == SIGSEGV);
    BOOST_TEST(contains(end.stderr_text, "plugin \"broken-init\" crashed the process with SIGSEGV (invalid memory access) "
                                         "during its init"),
               end.stderr_text);
}

BOOST_AUTO_TEST_CASE(a_stack_overflow_in_a_handler_still_gets_its_line) {
    TempDir dir;
    ChildProcess child(
        [&] {
            JobJournal journal;
            journal.open(dir / "jobs-in-flight.journal", two_pools);
            arm_crash_handlers();
            std::thread runner([&] {
                const auto input = job("jid-deep", "Recurse");
                const JobJournal::Entry entry(journal, "bulk", 0, input, "recursive");
                // Unbounded recursion the optimiser cannot remove.
                struct Deep {
                    static int down(int depth) {
                        if (depth > 1'000'000'000) return 0;  // never: the stack runs out long before
                        volatile char pad[1024];
                        pad[0] = static_cast<char>(depth);
                        return down(depth + 1) + pad[0];
                    }
                };
                Deep::down(0);
            });
            runner.join();
        },
        dir / "child.err");
    const auto end = child.wait();
    BOOST_TEST(end.signal == SIGSEGV);
    BOOST_TEST(contains(end.stderr_text, "plugin \"recursive\" crashed the process with SIGSEGV"), end.stderr_text);
}

BOOST_AUTO_TEST_CASE(json_logs_get_the_crash_line_as_json) {
    TempDir dir;
    ChildProcess child(
        [&] {
            arm_crash_handlers();
            faktory_host::crash::set_log_format_json(true);
            JobJournal journal;
            journal.open(dir / "jobs-in-flight.journal", two_pools);
            const auto input = job("jid-\"quoted\"", "Crash");
            const JobJournal::Entry entry(journal, "bulk", 0, input, "crashy");
            std::abort();
        },
        dir / "child.err");
    const auto end = child.wait();
    BOOST_TEST(end.signal == SIGABRT);
    BOOST_TEST(end.stderr_text.rfind("{\"time\":\"", 0) == 0u, end.stderr_text);
    BOOST_TEST(contains(end.stderr_text, "\"level\":\"fatal\",\"logger\":\"faktory.crash\""), end.stderr_text);
    BOOST_TEST(contains(end.stderr_text, "\"jid\":\"jid-\\\"quoted\\\"\",\"jobtype\":\"Crash\"}"), end.stderr_text);
}

BOOST_AUTO_TEST_CASE(an_unreadable_journal_is_moved_aside_and_said_so) {
    TempDir dir;
    const auto file = dir / "jobs-in-flight.journal";
    std::ofstream(file) << "not a journal";
    const auto reading = JobJournal::read(file);
    BOOST_TEST(reading.jobs.empty());
    BOOST_TEST(contains(reading.problem, file.string() + " is not a job journal"), reading.problem);
    BOOST_TEST(fs::exists(file.string() + ".unreadable"));
    BOOST_TEST(!fs::exists(file));
}

BOOST_AUTO_TEST_CASE(a_jid_too_long_for_its_slot_is_reported_not_failed_under_a_wrong_jid) {
    TempDir dir;
    const auto file = dir / "jobs-in-flight.journal";
    JobJournal journal;
    journal.open(file, two_pools);
    const auto input = job(std::string(2000, 'j'), "A");
    const JobJournal::Entry entry(journal, "urgent", 0, input, "p");
    const auto reading = JobJournal::read(file);
    BOOST_TEST(reading.jobs.empty());
    BOOST_TEST(contains(reading.problem, "too long to record whole"), reading.problem);
}

BOOST_AUTO_TEST_SUITE_END()
